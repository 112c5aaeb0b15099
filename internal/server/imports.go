package server

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/importer"
	"github.com/cohesio/cohesio/internal/store"
)

// importMaxBytes bounds the body of an import (64 MiB: a million observation rows in CSV).
// Imports have a limit of their own: the GraphQL body limit is far smaller.
var importMaxBytes int64 = 64 << 20

// imports serves spreadsheet imports over HTTP: POST /imports/KIND with the file as the body
// (a dry run unless ?commit=true), and the templates, GET /imports/templates/KIND.xlsx.
// Imports are not wrapped in the request timeout: a large file takes longer, and the client
// going away cancels the import (nothing is written unless it completes).
type imports struct {
	store    *store.Store
	log      *slog.Logger
	maxBytes int64
}

func (h *imports) routes(mux *http.ServeMux, instrument func(string, http.Handler) http.Handler) {
	mux.Handle("POST /imports/{kind}", instrument("imports", http.HandlerFunc(h.run)))
	mux.Handle("GET /imports/templates/{file}", instrument("imports", http.HandlerFunc(h.template)))
}

func (h *imports) run(w http.ResponseWriter, r *http.Request) {
	kind := r.PathValue("kind")
	if _, ok := importer.KindColumns(kind); !ok {
		writeJSON(w, http.StatusNotFound, map[string]any{"error": fmt.Sprintf("no import of kind %q: choose %s", kind, strings.Join(importer.Kinds(), " or "))})
		return
	}
	// The role first: nobody else's file is worth reading.
	if err := access.PrincipalFrom(r.Context()).CheckImport(kind); err != nil {
		writeJSON(w, http.StatusForbidden, map[string]any{"error": err.Error()})
		return
	}
	// The announced size before reading anything; a body without one is cut off at the limit.
	if r.ContentLength > h.maxBytes {
		writeJSON(w, http.StatusRequestEntityTooLarge, map[string]any{"error": tooLarge(h.maxBytes), "limit": h.maxBytes})
		return
	}
	body := http.MaxBytesReader(w, r.Body, h.maxBytes)
	var format importer.Format
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	// Not text/plain: a cross-site form may send that without a CORS preflight.
	case importer.CSVContentType, "application/csv":
		format = importer.CSV
	case importer.XLSXContentType:
		format = importer.XLSX
	default:
		writeJSON(w, http.StatusUnsupportedMediaType, map[string]any{"error": fmt.Sprintf("send the file as %s or %s, not %q",
			importer.CSVContentType, importer.XLSXContentType, r.Header.Get("Content-Type"))})
		return
	}
	commit := false
	if v := r.URL.Query().Get("commit"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]any{"error": fmt.Sprintf("commit: %q is not true or false", v), "field": "commit"})
			return
		}
		commit = b
	}
	rep, err := importer.Run(r.Context(), kind, body, h.store, importer.Options{Format: format, Commit: commit})
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		writeJSON(w, http.StatusRequestEntityTooLarge, map[string]any{"error": tooLarge(h.maxBytes), "limit": h.maxBytes})
	case errors.Is(err, access.ErrForbidden):
		writeJSON(w, http.StatusForbidden, map[string]any{"error": err.Error()})
	case err != nil && r.Context().Err() != nil:
		noteContextEnded(r.Context(), r.Context().Err())
	case err != nil && isUnavailable(err):
		noteOutcome(r.Context(), outcomeUnavailable, err)
		w.Header().Set("Retry-After", "1")
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"error": unavailableMessage, "code": "UNAVAILABLE", "requestId": RequestID(r.Context())})
	case err != nil && format == importer.XLSX:
		// A body that is no workbook: the client must send another file.
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": err.Error()})
	case err != nil:
		h.log.ErrorContext(r.Context(), "import", "error", err, "kind", kind, "request_id", RequestID(r.Context()))
		writeJSON(w, http.StatusInternalServerError, map[string]any{"error": "internal error", "requestId": RequestID(r.Context())})
	case rep.Rejected():
		writeJSON(w, http.StatusUnprocessableEntity, rep)
	default:
		writeJSON(w, http.StatusOK, rep)
	}
}

func tooLarge(limit int64) string {
	return fmt.Sprintf("the file is larger than the import limit of %d bytes (%d MiB): split it", limit, limit>>20)
}

// template answers the XLSX template of a kind: anyone may have it, it holds no data.
func (h *imports) template(w http.ResponseWriter, r *http.Request) {
	kind, ok := strings.CutSuffix(r.PathValue("file"), ".xlsx")
	if _, known := importer.KindColumns(kind); !ok || !known {
		writeJSON(w, http.StatusNotFound, map[string]any{"error": fmt.Sprintf("no template %q: choose %s", r.PathValue("file"),
			strings.Join(templateFiles(), " or "))})
		return
	}
	var buf bytes.Buffer
	if err := importer.WriteTemplate(&buf, kind); err != nil {
		h.log.ErrorContext(r.Context(), "import template", "error", err, "kind", kind, "request_id", RequestID(r.Context()))
		writeJSON(w, http.StatusInternalServerError, map[string]any{"error": "internal error", "requestId": RequestID(r.Context())})
		return
	}
	w.Header().Set("Content-Type", importer.XLSXContentType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "cohesio-" + kind + ".xlsx"}))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(buf.Bytes())
}

func templateFiles() []string {
	var out []string
	for _, k := range importer.Kinds() {
		out = append(out, k+".xlsx")
	}
	return out
}
