package server_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

// A client that sends a body over the limit reads the 413, even one that writes its whole
// body before reading anything: the server must not close the connection on unread data,
// which makes the kernel reset it and discard the answer.
func TestOversizedBodyIsAnsweredNotReset(t *testing.T) {
	a := newAPI(t)
	addr := strings.TrimPrefix(a.srv.URL, "http://")
	const size = 10 << 20
	for _, chunked := range []bool{false, true} {
		t.Run(fmt.Sprintf("chunked=%v", chunked), func(t *testing.T) {
			read := 0
			var failures []string
			for range 20 {
				status, err := sendWhole(addr, size, chunked)
				switch {
				case err != nil:
					failures = append(failures, err.Error())
				case status != http.StatusRequestEntityTooLarge:
					failures = append(failures, fmt.Sprintf("status %d", status))
				default:
					read++
				}
			}
			if read != 20 {
				t.Errorf("%d of 20 clients read the 413; the others: %q", read, failures)
			}
		})
	}
}

// A body sent without Content-Length (chunked) is read as one with it, up to the limit.
func TestChunkedBodyWithinTheLimitIsRead(t *testing.T) {
	a := newAPI(t)
	body := io.MultiReader(strings.NewReader(`{"query":"{ __typename }"}`)) // no length known: chunked
	res, err := http.Post(a.srv.URL+"/graphql", "application/json", body)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || !strings.Contains(string(b), `"__typename":"Query"`) {
		t.Fatalf("%d %s", res.StatusCode, b)
	}
}

// sendWhole writes a POST of size bytes to /graphql, all of it, then reads the status. A
// failed write fails it (bufio.Writer keeps the first error).
func sendWhole(addr string, size int, chunked bool) (int, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	w := bufio.NewWriterSize(conn, 64<<10)
	fmt.Fprintf(w, "POST /graphql HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n", addr)
	if chunked {
		fmt.Fprintf(w, "Transfer-Encoding: chunked\r\n\r\n")
	} else {
		fmt.Fprintf(w, "Content-Length: %d\r\n\r\n", size)
	}
	// A valid beginning, so that only its size is wrong with it.
	body := io.MultiReader(strings.NewReader(`{"query":"{ __typename }","variables":{"x":"`), neverEnding('a'))
	block := make([]byte, 32<<10)
	for sent := 0; sent < size; {
		n, _ := body.Read(block[:min(len(block), size-sent)])
		if chunked {
			fmt.Fprintf(w, "%x\r\n", n)
		}
		w.Write(block[:n])
		if chunked {
			w.WriteString("\r\n")
		}
		sent += n
	}
	if chunked {
		w.WriteString("0\r\n\r\n")
	}
	if err := w.Flush(); err != nil {
		// curl, Python's requests and many others give up here, never reading the answer.
		return 0, fmt.Errorf("send the body: %w", err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0, fmt.Errorf("read the answer: %w", err)
	}
	res.Body.Close()
	return res.StatusCode, nil
}

type neverEnding byte

func (b neverEnding) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(b)
	}
	return len(p), nil
}
