package server

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/store"
	"github.com/cohesio/cohesio/internal/view"
)

// The named views (internal/view) at stable, cacheable URLs: GET /views lists them, GET
// /views/NAME?variable=value runs one as the caller, through the same GraphQL handler as
// /graphql. A response is named by an ETag that changes when the document, the variables, the
// caller's role and scope or the data version change, so a client or a cache revalidates with
// If-None-Match and gets a 304 without the query running.

// Bounds of a view's query string, checked before it is parsed.
const (
	maxViewQueryBytes = 2048
	maxViewParameters = 32
)

type views struct {
	set   *view.Set
	run   graphQLRunner
	store *store.Store
	log   *slog.Logger
}

func (v *views) routes(mux *http.ServeMux, wrap func(name string, h http.Handler) http.Handler) {
	mux.Handle("GET /views", wrap("views", http.HandlerFunc(v.list)))
	mux.Handle("GET /views/{name}", wrap("view", http.HandlerFunc(v.serve)))
}

type viewEntry struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	URL         string          `json:"url"`
	DocumentID  string          `json:"documentId"`
	Variables   []view.Variable `json:"variables"`
}

func (v *views) list(w http.ResponseWriter, r *http.Request) {
	out := []viewEntry{}
	for _, vw := range v.set.List() {
		vars := vw.Variables
		if vars == nil {
			vars = []view.Variable{}
		}
		out = append(out, viewEntry{Name: vw.Name, Description: vw.Description, URL: "/views/" + vw.Name,
			DocumentID: vw.DocumentID, Variables: vars})
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}

func (v *views) serve(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	vw, ok := v.set.Lookup(r.PathValue("name"))
	if !ok {
		writeCodedError(w, http.StatusNotFound, "NOT_FOUND", fmt.Sprintf("no view %q: GET /views lists them", r.PathValue("name")))
		return
	}
	raw := r.URL.RawQuery
	if len(raw) > maxViewQueryBytes {
		writeCodedError(w, http.StatusRequestURITooLong, "LIMIT_EXCEEDED", fmt.Sprintf(
			"query string of %d bytes exceeds the query-string length limit of %d bytes", len(raw), maxViewQueryBytes))
		return
	}
	if n := strings.Count(raw, "&") + 1; raw != "" && n > maxViewParameters {
		writeCodedError(w, http.StatusBadRequest, "LIMIT_EXCEEDED", fmt.Sprintf(
			"%d query parameters exceed the parameter-count limit of %d", n, maxViewParameters))
		return
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		writeCodedError(w, http.StatusBadRequest, "BAD_REQUEST", "the query string does not parse: "+err.Error())
		return
	}
	vars, err := vw.Bind(q)
	if err != nil {
		var ve *view.VariableError
		if !errors.As(err, &ve) {
			ve = &view.VariableError{Reason: err.Error()}
		}
		writeVariableError(w, ve)
		return
	}

	// The version is read before the query runs: the data the query sees is then at least as
	// new as the version in the ETag, so a later write always changes the ETag of the next
	// request, and a 304 never stands for older data than it would get.
	version, err := v.store.DataVersion(ctx)
	if err != nil {
		v.internalError(w, r, err)
		return
	}
	p := access.PrincipalFrom(ctx)
	etag, err := viewETag(vw.DocumentID, vars, p, version)
	if err != nil {
		v.internalError(w, r, err)
		return
	}
	if p.Subject == "" {
		// Every anonymous caller gets the same answer: shared caches may keep it.
		w.Header().Set("Cache-Control", "public, no-cache")
	} else {
		w.Header().Set("Cache-Control", "private, no-cache")
		w.Header().Add("Vary", "Authorization")
	}
	if etagMatches(r.Header.Get("If-None-Match"), etag) {
		w.Header().Set("ETag", etag)
		w.WriteHeader(http.StatusNotModified)
		return
	}
	status, body, err := v.run.run(ctx, vw.Query, vars)
	if err != nil {
		if ctx.Err() != nil {
			w.Header().Set("Cache-Control", "no-store")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(timeoutBody))
			return
		}
		v.internalError(w, r, err)
		return
	}
	if status == http.StatusOK && !hasErrors(body) {
		w.Header().Set("ETag", etag)
	} else {
		w.Header().Set("Cache-Control", "no-store") // a partial or failed answer is not kept
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body)
}

func (v *views) internalError(w http.ResponseWriter, r *http.Request, err error) {
	id := RequestID(r.Context())
	v.log.ErrorContext(r.Context(), "view failed", "err", err, "path", r.URL.Path, "request_id", id)
	w.Header().Set("Cache-Control", "no-store")
	writeCodedError(w, http.StatusInternalServerError, "INTERNAL_SERVER_ERROR", "internal error (request "+id+")")
}

// writeVariableError answers 400 naming the variable and the reason.
func writeVariableError(w http.ResponseWriter, e *view.VariableError) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{
		"message": e.Error(), "extensions": map[string]string{"code": "BAD_USER_INPUT", "variable": e.Variable},
	}}})
}

// viewETag is a strong ETag over everything a view's answer depends on: its document, its
// variables (JSON, keys sorted), the caller's role and scope, and the data version.
func viewETag(documentID string, vars map[string]any, p access.Principal, version int64) (string, error) {
	canonical, err := json.Marshal(vars)
	if err != nil {
		return "", fmt.Errorf("encode the variables: %w", err)
	}
	id := func(v *int64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatInt(*v, 10)
	}
	h := sha256.New()
	for _, part := range []string{documentID, string(canonical), string(p.Role), id(p.OperatorID), id(p.CommuneID), strconv.FormatInt(version, 10)} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return `"` + hex.EncodeToString(h.Sum(nil)) + `"`, nil
}

// etagMatches applies If-None-Match: "*", or one of the listed tags (compared weakly, as
// RFC 9110 asks for this header).
func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

// hasErrors reports whether a GraphQL response body carries errors.
func hasErrors(body []byte) bool {
	var resp struct {
		Errors []json.RawMessage `json:"errors"`
	}
	return json.Unmarshal(body, &resp) != nil || len(resp.Errors) > 0
}
