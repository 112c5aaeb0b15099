package graph

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"path"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/cohesion"
	"github.com/cohesio/cohesio/internal/importer"
)

// importFile runs the import of an uploaded file: the same import, and the same report, as
// POST /imports/KIND. The size of the upload is bounded by the multipart transport.
func (r *Resolver) importFile(ctx context.Context, kind string, file graphql.Upload, commit bool) (*importer.Report, error) {
	// The role first, as over HTTP (the store checks again, and a coordinator's scope).
	if err := access.PrincipalFrom(ctx).CheckImport(kind); err != nil {
		return nil, err
	}
	format, err := uploadFormat(file)
	if err != nil {
		return nil, err
	}
	rep, err := importer.Run(ctx, kind, file.File, r.Store, importer.Options{Format: format, Commit: commit})
	if err != nil && format == importer.XLSX && ctx.Err() == nil && !errors.Is(err, access.ErrForbidden) {
		// A file that is no workbook: the client must send another.
		return nil, cohesion.Invalid("file", err.Error())
	}
	return rep, err
}

// uploadFormat is the format an upload declares by its media type or, failing that, by its
// name's extension; empty (XLSX when it is a zip archive, CSV otherwise) when it says neither.
func uploadFormat(file graphql.Upload) (importer.Format, error) {
	mt, _, _ := mime.ParseMediaType(file.ContentType)
	switch mt {
	case importer.CSVContentType, "application/csv":
		return importer.CSV, nil
	case importer.XLSXContentType:
		return importer.XLSX, nil
	}
	switch strings.ToLower(path.Ext(file.Filename)) {
	case ".csv", ".txt":
		return importer.CSV, nil
	case ".xlsx":
		return importer.XLSX, nil
	case ".xls", ".ods":
		return "", cohesion.Invalid("file", fmt.Sprintf("%q: save it as CSV or as an Excel workbook (.xlsx)", file.Filename))
	}
	return "", nil
}

// nonEmpty is &s, or nil for an empty string (a field the report leaves out).
func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
