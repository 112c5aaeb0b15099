package server_test

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	neturl "net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/cohesio/cohesio/internal/server"
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

// post sends body to /graphql with an Accept header and returns the status and the body.
func post(t *testing.T, url, accept, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url+"/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// bothPaths runs f against a server with the planner and one without.
func bothPaths(t *testing.T, f func(t *testing.T, url string), opts ...func(*server.Config)) {
	for _, disable := range []bool{false, true} {
		t.Run(fmt.Sprintf("planner=%v", !disable), func(t *testing.T) {
			a := newAPI(t, append(opts, func(c *server.Config) { c.DisablePlanner = disable })...)
			f(t, a.srv.URL)
		})
	}
}

type requestErrors struct {
	HasData bool // a data entry, even null
	Errors  []struct {
		Message    string
		Extensions map[string]any
	}
}

func decodeErrors(t *testing.T, body string) requestErrors {
	t.Helper()
	var out requestErrors
	var entries map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	json.Unmarshal([]byte(body), &entries)
	_, out.HasData = entries["data"]
	return out
}

// The 30,000-field document takes more than a minute to validate (the overlapping fields rule
// is quadratic): it is refused before, as is each document over a size limit, however it comes.
func TestOversizedDocumentsAreRefusedBeforeValidation(t *testing.T) {
	hostile := hostileDocument(30_000)
	tests := []struct{ name, document, mention string }{
		{"30,000 fields", hostile, "more than 500 selections (fields and fragment spreads); the limit is 500"},
		{"4,000 values", "query($x: [Int] = [" + strings.Repeat(" 1", 4000) + "]) { __typename }", "more than 4000 tokens; the limit is 4000"},
		{"600 fields", hostileDocument(600), "more than 500 selections (fields and fragment spreads); the limit is 500"},
		{"600 fields through fragments", "{ ...F }" + strings.Repeat(" fragment F on Query { __typename ...G }", 1) +
			" fragment G on Query {" + strings.Repeat(" a: __typename", 599) + " }", "the limit is 500"},
		{"11 directives on a field", "{ __typename" + strings.Repeat(" @unknown", 11) + " }", "more than 10 directives; the limit is 10 per field"},
		{"60 directives", "{" + strings.Repeat(" __typename @a(x: 1) @b", 30) + " }", "more than 50 directives; the limit is 50"},
	}
	check := func(t *testing.T, name string, status int, body, mention string) {
		t.Helper()
		out := decodeErrors(t, body)
		if status != http.StatusBadRequest || len(out.Errors) != 1 ||
			out.Errors[0].Extensions["code"] != "LIMIT_EXCEEDED" || !strings.Contains(out.Errors[0].Message, mention) {
			t.Errorf("%s: %d %.300s, want 400 LIMIT_EXCEEDED saying %q", name, status, body, mention)
		}
	}
	sum := sha256.Sum256([]byte(hostile))
	hash := hex.EncodeToString(sum[:])
	trusted, err := server.NewTrustedDocuments(map[string]string{"sha256:" + hash: hostile})
	if err != nil {
		t.Fatal(err)
	}
	bothPaths(t, func(t *testing.T, url string) {
		for _, tt := range tests {
			status, body := post(t, url, "application/graphql-response+json", `{"query":`+strconv.Quote(tt.document)+`}`)
			check(t, tt.name+" by POST", status, body, tt.mention)
			req, _ := http.NewRequest(http.MethodGet, url+"/graphql?"+(neturl.Values{"query": {tt.document}}).Encode(), nil)
			req.Header.Set("Accept", "application/graphql-response+json")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			check(t, tt.name+" by GET", res.StatusCode, string(b), tt.mention)
		}
		// A registered document is bounded too, and so is an automatic persisted query, sent
		// with its text and then by its hash alone.
		status, body := post(t, url, "application/graphql-response+json", `{"documentId":"sha256:`+hash+`"}`)
		check(t, "trusted document", status, body, "selections")
		other := hostileDocument(29_999) // not registered
		otherSum := sha256.Sum256([]byte(other))
		apq := `"extensions":{"persistedQuery":{"version":1,"sha256Hash":"` + hex.EncodeToString(otherSum[:]) + `"}}`
		status, body = post(t, url, "application/graphql-response+json", `{"query":`+strconv.Quote(other)+`,`+apq+`}`)
		check(t, "persisted query", status, body, "selections")
		status, body = post(t, url, "application/graphql-response+json", `{`+apq+`}`)
		check(t, "persisted query by its hash", status, body, "selections")
	}, func(c *server.Config) { c.TrustedDocuments = trusted })

	// The limits are settings; a zero one is the default.
	a := newAPI(t, func(c *server.Config) {
		c.Limits = server.Limits{MaxDepth: 15, MaxAliases: 30, MaxCost: 1000, MaxDirectivesPerField: 2}
	})
	status, body := post(t, a.srv.URL, "application/graphql-response+json", `{"query":"{ __typename @skip(if: false) @include(if: true) @skip(if: false) }"}`)
	check(t, "3 directives, 2 allowed", status, body, "the limit is 2 per field")
	status, body = post(t, a.srv.URL, "application/graphql-response+json", `{"query":`+strconv.Quote(hostileDocument(400))+`}`)
	if out := decodeErrors(t, body); status != http.StatusOK || len(out.Errors) != 0 {
		t.Errorf("400 fields under the default limit of 500: %d %.300s", status, body)
	}
}

// A request error (a document that does not parse or validate, a limit, variables that do not
// fit: nothing ran) has no data entry, and its status follows GraphQL over HTTP: 200 under
// application/json, 400 under application/graphql-response+json; the same with or without
// the planner, by POST or GET.
func TestRequestErrorsFollowGraphQLOverHTTP(t *testing.T) {
	requests := []struct{ name, query, variables string }{
		{"does not parse", `{ communes(`, ``},
		{"does not validate", `{ nope }`, ``},
		{"over a limit", hostileDocument(600), ``},
		{"variables that do not fit", `query($n: String!) { commune(nisCode: $n) { name } }`, `{"n": null}`},
	}
	bothPaths(t, func(t *testing.T, url string) {
		for _, accept := range []struct {
			header, contentType string
			status              int
		}{
			{"application/json", "application/json", http.StatusOK},
			{"", "application/json", http.StatusOK},
			{"application/graphql-response+json", "application/graphql-response+json", http.StatusBadRequest},
		} {
			for _, rq := range requests {
				v := neturl.Values{"query": {rq.query}}
				body := `{"query":` + strconv.Quote(rq.query)
				if rq.variables != "" {
					v.Set("variables", rq.variables)
					body += `,"variables":` + rq.variables
				}
				for _, method := range []string{http.MethodPost, http.MethodGet} {
					var req *http.Request
					if method == http.MethodPost {
						req, _ = http.NewRequest(method, url+"/graphql", strings.NewReader(body+"}"))
						req.Header.Set("Content-Type", "application/json")
					} else {
						req, _ = http.NewRequest(method, url+"/graphql?"+v.Encode(), nil)
					}
					if accept.header != "" {
						req.Header.Set("Accept", accept.header)
					}
					res, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					b, _ := io.ReadAll(res.Body)
					res.Body.Close()
					out := decodeErrors(t, string(b))
					if res.StatusCode != accept.status || res.Header.Get("Content-Type") != accept.contentType || out.HasData || len(out.Errors) == 0 {
						t.Errorf("%s %s, Accept %q: %d %s %.200s; want %d %s, errors and no data",
							method, rq.name, accept.header, res.StatusCode, res.Header.Get("Content-Type"), b, accept.status, accept.contentType)
					}
				}
			}
		}
	})
}

// A body that is not a GraphQL request is refused with a fixed message: nothing of it is
// repeated, since it may hold what its sender would not show.
func TestMalformedBodiesAreNotEchoed(t *testing.T) {
	const marker = "SECRET_MARKER_7f3a"
	bodies := []struct{ body, want string }{
		{`{"query":"{ __typename }","variables":{"token":` + marker + `}}`, "the request body is not valid JSON (at byte 48)"},
		{`{"query":"{ __typename }","variables":{"token":"` + marker + `"`, "the request body is not valid JSON"},
		{`{"query":{"text":"` + marker + `"}}`, "the request body is not a GraphQL request: query must be a string"},
		{`"` + marker + `"`, "the request body is not a GraphQL request"},
		// With a documentId, the body is read by the trusted documents first.
		{`{"documentId":"x","variables":` + marker + `}`, "the request body is not valid JSON (at byte 31)"},
		{`{"documentId":{"id":"` + marker + `"}}`, "the request body is not a GraphQL request: documentId must be a string"},
	}
	bothPaths(t, func(t *testing.T, url string) {
		for _, b := range bodies {
			status, body := post(t, url, "", b.body)
			out := decodeErrors(t, body)
			if status != http.StatusBadRequest || strings.Contains(body, marker) || len(out.Errors) != 1 || !strings.HasPrefix(out.Errors[0].Message, b.want) {
				t.Errorf("%s: %d %s, want 400 saying %q without repeating the body", b.body, status, body, b.want)
			}
		}
	})
}

// The message of a resolver's error is its reason, not gqlerror's "input:1:40: " text: the
// location is in locations already.
func TestMutationErrorsStartWithTheReason(t *testing.T) {
	w := newWorld(t)
	w.a.exec(reportFixture)
	const create = `mutation($c: ID!, $o: ID!) { createSubmission(campaign: $c, operator: $o) { version } }`
	body, _ := json.Marshal(map[string]any{"query": create, "variables": map[string]any{"c": gid("Campaign", 1), "o": gid("Operator", 1)}})
	req, _ := http.NewRequest(http.MethodPost, w.a.srv.URL+"/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+w.callers["analyst"].token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	out := decodeErrors(t, string(b))
	if len(out.Errors) != 1 || out.Errors[0].Extensions["code"] != "FORBIDDEN" || !strings.HasPrefix(out.Errors[0].Message, "forbidden") {
		t.Errorf("an analyst starting a report: %s, want FORBIDDEN with a message starting with the reason", b)
	}
}
