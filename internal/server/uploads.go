package server

import (
	"io"
	"mime"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/cohesio/cohesio/internal/access"
)

// uploadMaxMemory is how much of an uploaded file the multipart transport holds in memory; a
// larger file waits in a temporary file.
const uploadMaxMemory = 8 << 20

// uploadTransport reads GraphQL multipart requests (importFile), bounded as POST /imports/KIND.
func uploadTransport() transport.MultipartForm {
	return transport.MultipartForm{MaxUploadSize: importMaxBytes, MaxMemory: uploadMaxMemory}
}

// uploads sends the multipart/form-data POSTs of /graphql (the GraphQL multipart request
// spec) to upload, and every other request to next, which takes JSON only. A cross-site form
// can send multipart/form-data without a CORS preflight, so an upload must carry
// GraphQL-Require-Preflight (requirePreflight), which only a script can set, and which a
// browser preflights. An upload's size is the import limit's, not the GraphQL body limit's,
// announced by Content-Length (which browsers send with a form), so that it is refused before
// being read. Uploads bypass the trusted documents' check, which reads JSON bodies, so roles
// held to trusted documents cannot upload.
func (g *guard) uploads(next, upload http.Handler, maxBytes int64) http.Handler {
	checked := requirePreflight(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if role := access.PrincipalFrom(r.Context()).Role; g.enforce[role] {
			writeError(w, http.StatusForbidden, "uploads are not trusted documents: the "+string(role)+" role runs registered documents only")
			return
		}
		switch {
		case r.ContentLength < 0:
			writeError(w, http.StatusLengthRequired, "send an upload with its Content-Length")
			return
		case r.ContentLength > maxBytes:
			refuseUpload(w, r, maxBytes)
			return
		}
		upload.ServeHTTP(w, r)
	}))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); r.Method == http.MethodPost && mt == "multipart/form-data" {
			checked.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// refuseUpload answers 413 naming the import limit, after discarding what it can of the body
// (see refuseBody).
func refuseUpload(w http.ResponseWriter, r *http.Request, maxBytes int64) {
	http.NewResponseController(w).SetReadDeadline(time.Now().Add(discardTimeout)) // best effort
	if _, err := io.CopyN(io.Discard, r.Body, maxDiscardBytes); err != io.EOF {
		w.Header().Set("Connection", "close")
	}
	writeError(w, http.StatusRequestEntityTooLarge, tooLarge(maxBytes))
}
