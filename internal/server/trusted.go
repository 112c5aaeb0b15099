package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/cohesio/cohesio/internal/access"
)

// TrustedDocuments is a registry of the GraphQL documents a client may run by id, keyed by the
// SHA-256 of their text. Roles listed in Config.TrustedDocumentsOnly may run nothing else.
type TrustedDocuments struct {
	byHash map[string]string // lower-case hex SHA-256 of the text → text
}

// NewTrustedDocuments checks that each key ("sha256:<hex>" or "<hex>") is the SHA-256 of its
// text.
func NewTrustedDocuments(docs map[string]string) (*TrustedDocuments, error) {
	t := &TrustedDocuments{byHash: make(map[string]string, len(docs))}
	keys := make([]string, 0, len(docs))
	for k := range docs {
		keys = append(keys, k)
	}
	slices.Sort(keys) // the same error for the same file
	for _, k := range keys {
		text := docs[k]
		if text == "" {
			return nil, fmt.Errorf("trusted document %q: empty text", k)
		}
		if want := hashDocument(text); normalizeDocumentID(k) != want {
			return nil, fmt.Errorf("trusted document %q: the key is not the SHA-256 of its text (that is sha256:%s)", k, want)
		}
		t.byHash[hashDocument(text)] = text
	}
	return t, nil
}

// LoadTrustedDocuments reads a JSON object mapping "sha256:<hex>" to document text.
func LoadTrustedDocuments(path string) (*TrustedDocuments, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("trusted documents: %w", err)
	}
	var docs map[string]string
	if err := json.Unmarshal(b, &docs); err != nil {
		return nil, fmt.Errorf("trusted documents %s: want a JSON object of \"sha256:<hex>\": document text: %w", path, err)
	}
	t, err := NewTrustedDocuments(docs)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// with returns a registry of t's documents (t may be nil) and texts.
func (t *TrustedDocuments) with(texts ...string) *TrustedDocuments {
	out := &TrustedDocuments{byHash: map[string]string{}}
	if t != nil {
		maps.Copy(out.byHash, t.byHash)
	}
	for _, text := range texts {
		out.byHash[hashDocument(text)] = text
	}
	return out
}

// Len is the number of documents.
func (t *TrustedDocuments) Len() int { return len(t.byHash) }

func (t *TrustedDocuments) lookup(id string) (string, bool) {
	text, ok := t.byHash[normalizeDocumentID(id)]
	return text, ok
}

func (t *TrustedDocuments) contains(text string) bool {
	_, ok := t.byHash[hashDocument(text)]
	return ok && text != ""
}

func hashDocument(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

func normalizeDocumentID(id string) string {
	id = strings.ToLower(strings.TrimSpace(id))
	return strings.TrimPrefix(id, "sha256:")
}

// graphQLParams is a GraphQL request as sent over HTTP, with the documentId of the persisted
// documents proposal of GraphQL over HTTP. Variables and extensions pass through untouched.
type graphQLParams struct {
	Query         string          `json:"query,omitempty"`
	DocumentID    string          `json:"documentId,omitempty"`
	OperationName string          `json:"operationName,omitempty"`
	Variables     json.RawMessage `json:"variables,omitempty"`
	Extensions    json.RawMessage `json:"extensions,omitempty"`
}

// trustedDocuments puts the registered text in place of a documentId (or of the hash of an
// automatic persisted query sent alone), and refuses to callers of an enforced role any
// document whose text is not registered.
//
// It is an HTTP middleware rather than a gqlgen extension because gqlgen's transports decode
// the request into graphql.RawParams, which has no documentId: the id is dropped before any
// extension could see it. Here one function sees GET and POST alike, before the APQ extension
// (which would otherwise store text nobody registered, and serve it by hash), and passes gqlgen
// a request it encoded itself, so gqlgen runs exactly the text that was checked.
func trustedDocuments(docs *TrustedDocuments, enforce map[access.Role]bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p graphQLParams
		switch r.Method {
		case http.MethodGet:
			q := r.URL.Query()
			p = graphQLParams{Query: q.Get("query"), DocumentID: q.Get("documentId"), OperationName: q.Get("operationName"),
				Variables: json.RawMessage(q.Get("variables")), Extensions: json.RawMessage(q.Get("extensions"))}
		case http.MethodPost:
			body, err := io.ReadAll(r.Body) // bounded by limitBody
			if err != nil {
				var tooLarge *http.MaxBytesError
				if errors.As(err, &tooLarge) {
					writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes", tooLarge.Limit))
					return
				}
				writeError(w, http.StatusBadRequest, "could not read the request body")
				return
			}
			if !enforce[access.PrincipalFrom(r.Context()).Role] && !bytes.Contains(body, []byte(`"documentId"`)) &&
				!bytes.Contains(body, []byte(`"persistedQuery"`)) {
				// Nothing to resolve or check: gqlgen reads the body as it came, undecoded here.
				r.Body = io.NopCloser(bytes.NewReader(body))
				next.ServeHTTP(w, r)
				return
			}
			if err := json.Unmarshal(body, &p); err != nil {
				writeError(w, http.StatusBadRequest, requestBodyProblem(err))
				return
			}
		default:
			next.ServeHTTP(w, r)
			return
		}
		if status, code, msg := docs.resolve(&p, enforce[access.PrincipalFrom(r.Context()).Role]); status != 0 {
			writeCodedError(w, status, code, msg)
			return
		}
		if r.Method == http.MethodGet {
			r.URL.RawQuery = p.urlValues().Encode()
		} else {
			body, err := json.Marshal(p)
			if err != nil {
				writeError(w, http.StatusBadRequest, "the request could not be encoded again")
				return
			}
			r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		}
		next.ServeHTTP(w, r)
	})
}

// resolve fills p.Query from the registry when the client named a document instead of sending
// it, then checks that an enforced caller runs registered text. It returns a refusal's status,
// code and message, or a zero status.
func (t *TrustedDocuments) resolve(p *graphQLParams, enforced bool) (status int, code, message string) {
	if p.DocumentID != "" {
		if p.Query != "" {
			return http.StatusBadRequest, "BAD_REQUEST", "send either documentId or query, not both"
		}
		text, ok := t.lookup(p.DocumentID)
		if !ok {
			return http.StatusBadRequest, "UNKNOWN_DOCUMENT", "unknown document"
		}
		p.Query, p.DocumentID = text, ""
	}
	if p.Query == "" && len(p.Extensions) > 0 {
		// An automatic persisted query sent as a hash alone: a registered hash needs no cache.
		var ext struct {
			PersistedQuery *struct {
				Sha256Hash string `json:"sha256Hash"`
			} `json:"persistedQuery"`
		}
		if err := json.Unmarshal(p.Extensions, &ext); err != nil {
			return http.StatusBadRequest, "BAD_REQUEST", "extensions must be a JSON object"
		}
		if ext.PersistedQuery != nil && ext.PersistedQuery.Sha256Hash != "" {
			if text, ok := t.lookup(ext.PersistedQuery.Sha256Hash); ok {
				p.Query = text
			}
		}
	}
	// Whatever the way in (text, documentId, APQ with or without text), an enforced caller
	// reaches gqlgen with registered text: the APQ cache is then only ever given registered
	// text by them, and never read for them.
	if enforced && !t.contains(p.Query) {
		return http.StatusForbidden, "TRUSTED_DOCUMENTS_ONLY", "only trusted documents may run for this role: send the documentId of a registered document"
	}
	return 0, "", ""
}

func (p graphQLParams) urlValues() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"query": p.Query, "operationName": p.OperationName,
		"variables": string(p.Variables), "extensions": string(p.Extensions)} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}
