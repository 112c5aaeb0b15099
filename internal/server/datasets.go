package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/cohesio/cohesio/graph"
	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/catalog"
	"github.com/cohesio/cohesio/internal/cohesion"
	"github.com/cohesio/cohesio/internal/dataset"
	"github.com/cohesio/cohesio/internal/tabular"
)

// datasets serves the dataset catalogue, exports, data packages and snapshots over plain
// HTTP, for curl, R and Python. Exports stream: they are not wrapped in the request timeout
// (which buffers the response), and a client that goes away cancels the query.
type datasets struct {
	svc *dataset.Service
	cat *catalog.Catalog
	log *slog.Logger
}

func (h *datasets) routes(mux *http.ServeMux, instrument func(string, http.Handler) http.Handler) {
	handle := func(pattern string, fn http.HandlerFunc) {
		mux.Handle(pattern, instrument("datasets", fn))
	}
	handle("GET /datasets", h.list)
	handle("GET /datasets/datapackage.json", h.cataloguePackage)
	handle("GET /datasets/{name}/datapackage.json", h.datasetPackage)
	handle("GET /datasets/{file}", h.export)
	handle("POST /datasets/{name}/snapshots", h.createSnapshot)
	handle("GET /snapshots", h.listSnapshots)
	handle("GET /snapshots/{file}", h.snapshot)
	handle("GET /snapshots/{id}/datapackage.json", h.snapshotPackage)
}

// baseURL is where the client reached us, for the links of data packages.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

type datasetSummary struct {
	Name        string            `json:"name"`
	Title       string            `json:"title"`
	Titles      map[string]string `json:"titles"`
	Description string            `json:"description"`
	Entity      string            `json:"entity"`
	DataPackage string            `json:"datapackage"`
	Downloads   map[string]string `json:"downloads"`
}

func (h *datasets) list(w http.ResponseWriter, r *http.Request) {
	base := baseURL(r)
	var out []datasetSummary
	for _, d := range h.svc.Catalogue().Datasets() {
		s := datasetSummary{Name: d.Name, Title: d.Title, Titles: map[string]string{"fr": d.TitleFR, "nl": d.TitleNL},
			Description: d.Description, Entity: d.Entity, DataPackage: base + "/datasets/" + d.Name + "/datapackage.json",
			Downloads: map[string]string{}}
		for _, f := range tabular.Formats() {
			s.Downloads[string(f)] = base + "/datasets/" + d.Name + "." + f.Extension()
		}
		out = append(out, s)
	}
	writeJSON(w, http.StatusOK, map[string]any{"datasets": out, "datapackage": base + "/datasets/datapackage.json"})
}

func (h *datasets) cataloguePackage(w http.ResponseWriter, r *http.Request) {
	p, err := h.svc.Package(r.Context(), "cohesio", "Cohesio: Brussels social-cohesion data", h.svc.Catalogue().Datasets(),
		dataset.PackageOptions{BaseURL: baseURL(r), Role: access.RoleFrom(r.Context())})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (h *datasets) datasetPackage(w http.ResponseWriter, r *http.Request) {
	d, req, raw, err := h.request(r, r.PathValue("name"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p, err := h.svc.Package(r.Context(), "cohesio-"+d.Name, d.Title, []*dataset.Dataset{d},
		dataset.PackageOptions{BaseURL: baseURL(r), Filter: req.Filter, RawFilter: raw, Role: req.Role})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// request reads the dataset name and the ?filter= of an export.
func (h *datasets) request(r *http.Request, name string) (*dataset.Dataset, dataset.Request, json.RawMessage, error) {
	d := h.svc.Catalogue().Dataset(name)
	if d == nil {
		return nil, dataset.Request{}, nil, fmt.Errorf("no dataset %q: %w", name, cohesion.ErrNotFound)
	}
	req := dataset.Request{Dataset: d, Role: access.RoleFrom(r.Context())}
	raw := json.RawMessage(r.URL.Query().Get("filter"))
	f, err := graph.FilterFromJSON(h.cat, d.Entity, raw)
	if err != nil {
		return nil, req, nil, err
	}
	req.Filter = f
	if len(raw) == 0 {
		raw = nil
	}
	return d, req, raw, nil
}

// splitFile reads "operators.csv" or "operators.excel.csv" into a name and a format.
func splitFile(file string) (string, tabular.Format, error) {
	for _, f := range tabular.Formats() {
		if name, ok := strings.CutSuffix(file, "."+f.Extension()); ok && !strings.Contains(name, ".") {
			return name, f, nil
		}
	}
	var exts []string
	for _, f := range tabular.Formats() {
		exts = append(exts, "."+f.Extension())
	}
	return "", "", cohesion.Invalid("format", fmt.Sprintf("%q: name the format with one of the extensions %s", file, strings.Join(exts, ", ")))
}

func (h *datasets) export(w http.ResponseWriter, r *http.Request) {
	name, format, err := splitFile(r.PathValue("file"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	_, req, _, err := h.request(r, name)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	attach(w, name+"."+format.Extension(), format)
	cw := &countingWriter{w: w}
	if _, err := h.svc.Export(r.Context(), req, cw, format); err != nil {
		h.failStream(w, r, cw, err)
	}
}

func (h *datasets) createSnapshot(w http.ResponseWriter, r *http.Request) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		// A cross-site form cannot send JSON without a CORS preflight.
		writeError(w, http.StatusUnsupportedMediaType, "send the snapshot request as application/json")
		return
	}
	var body struct {
		Filter json.RawMessage `json:"filter"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body); err != nil && err != io.EOF {
		h.fail(w, r, cohesion.Invalid("body", "not valid JSON: "+err.Error()))
		return
	}
	d := h.svc.Catalogue().Dataset(r.PathValue("name"))
	if d == nil {
		h.fail(w, r, fmt.Errorf("no dataset %q: %w", r.PathValue("name"), cohesion.ErrNotFound))
		return
	}
	f, err := graph.FilterFromJSON(h.cat, d.Entity, body.Filter)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if string(body.Filter) == "null" {
		body.Filter = nil
	}
	snap, created, err := h.svc.CreateSnapshot(r.Context(), dataset.Request{Dataset: d, Filter: f, Role: access.RoleFrom(r.Context())}, body.Filter)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	w.Header().Set("Location", "/snapshots/"+snap.ID)
	writeJSON(w, status, snapshotJSON(snap, baseURL(r)))
}

type snapshotView struct {
	ID                   string            `json:"id"`
	Hash                 string            `json:"hash"`
	Dataset              string            `json:"dataset"`
	Filter               json.RawMessage   `json:"filter"`
	RowCount             int64             `json:"rowCount"`
	SuppressionThreshold *int              `json:"suppressionThreshold"`
	CreatedAt            time.Time         `json:"createdAt"`
	DataPackage          string            `json:"datapackage"`
	Downloads            map[string]string `json:"downloads"`
}

func snapshotJSON(s *dataset.Snapshot, base string) snapshotView {
	v := snapshotView{ID: s.ID, Hash: "sha256:" + s.ID, Dataset: s.Dataset, Filter: s.Filter, RowCount: s.RowCount,
		SuppressionThreshold: s.SuppressionThreshold, CreatedAt: s.CreatedAt.UTC(),
		DataPackage: base + "/snapshots/" + s.ID + "/datapackage.json", Downloads: map[string]string{}}
	for _, f := range tabular.Formats() {
		v.Downloads[string(f)] = base + "/snapshots/" + s.ID + "." + f.Extension()
	}
	return v
}

func (h *datasets) listSnapshots(w http.ResponseWriter, r *http.Request) {
	snaps, err := h.svc.Snapshots(r.Context(), r.URL.Query().Get("dataset"), access.RoleFrom(r.Context()))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := []snapshotView{}
	for _, s := range snaps {
		out = append(out, snapshotJSON(s, baseURL(r)))
	}
	writeJSON(w, http.StatusOK, map[string]any{"snapshots": out})
}

// snapshot answers /snapshots/ID (its description) and /snapshots/ID.EXT (its rows).
func (h *datasets) snapshot(w http.ResponseWriter, r *http.Request) {
	file := r.PathValue("file")
	id, format, err := splitFile(file)
	if !strings.Contains(file, ".") {
		id, err = file, nil
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	snap, err := h.svc.Snapshot(r.Context(), id, access.RoleFrom(r.Context()))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if format == "" {
		writeJSON(w, http.StatusOK, snapshotJSON(snap, baseURL(r)))
		return
	}
	// Immutable: its id is the hash of its content, so the ETag is that hash (with the format)
	// and caches may keep it forever. Shared caches only when anyone may read it.
	cache := "public"
	if !h.svc.Readable(snap, access.Public) {
		cache = "private"
	}
	etag := `"` + snap.ID + "-" + string(format) + `"`
	w.Header().Set("Cache-Control", cache+", max-age=31536000, immutable")
	w.Header().Set("ETag", etag)
	if etagMatches(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	attach(w, snap.Dataset+"-"+snap.ID[:12]+"."+format.Extension(), format)
	cw := &countingWriter{w: w}
	if _, err := h.svc.ExportSnapshot(r.Context(), snap, cw, format); err != nil {
		h.failStream(w, r, cw, err)
	}
}

func (h *datasets) snapshotPackage(w http.ResponseWriter, r *http.Request) {
	snap, err := h.svc.Snapshot(r.Context(), r.PathValue("id"), access.RoleFrom(r.Context()))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p, err := h.svc.SnapshotPackage(snap, baseURL(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func attach(w http.ResponseWriter, filename string, f tabular.Format) {
	w.Header().Set("Content-Type", f.ContentType())
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": filename}))
	w.Header().Set("X-Content-Type-Options", "nosniff")
}

// fail answers an error before anything was written: 400 with the reason for a request the
// client must fix, 404, 403, 503 when the database cannot be reached, or 500 with a request id.
func (h *datasets) fail(w http.ResponseWriter, r *http.Request, err error) {
	var inv *cohesion.InvalidError
	switch {
	case errors.As(err, &inv):
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": inv.Error(), "field": inv.Field})
	case errors.Is(err, cohesion.ErrNotFound):
		writeJSON(w, http.StatusNotFound, map[string]any{"error": err.Error()})
	case errors.Is(err, dataset.ErrForbidden):
		writeJSON(w, http.StatusForbidden, map[string]any{"error": err.Error()})
	case r.Context().Err() != nil:
		// The client went away; nobody is listening. The access log says so.
		noteContextEnded(r.Context(), r.Context().Err())
	case isUnavailable(err):
		noteOutcome(r.Context(), outcomeUnavailable, err)
		w.Header().Set("Retry-After", "1")
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"error": unavailableMessage, "code": "UNAVAILABLE", "requestId": RequestID(r.Context())})
	default:
		h.log.ErrorContext(r.Context(), "datasets", "error", err, "path", r.URL.Path, "request_id", RequestID(r.Context()))
		writeJSON(w, http.StatusInternalServerError, map[string]any{"error": "internal error", "requestId": RequestID(r.Context())})
	}
}

// failStream handles an error during an export: before the first byte it is an ordinary
// error; after, the status is sent, so the connection is cut to make the truncation visible.
func (h *datasets) failStream(w http.ResponseWriter, r *http.Request, cw *countingWriter, err error) {
	if cw.n == 0 {
		w.Header().Del("Content-Disposition")
		h.fail(w, r, err)
		return
	}
	if r.Context().Err() == nil {
		h.log.ErrorContext(r.Context(), "export cut short", "error", err, "path", r.URL.Path, "request_id", RequestID(r.Context()))
	}
	panic(http.ErrAbortHandler)
}

type countingWriter struct {
	w http.ResponseWriter
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}
