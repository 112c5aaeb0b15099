// Package playground serves a GraphiQL playground whose assets are all
// embedded in the binary, so it works with no CDN and no internet.
//
// The GraphiQL, React and ReactDOM browser builds in assets/ are vendored by
// scripts/vendor-graphiql.sh; do not edit them by hand.
package playground

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
)

//go:embed assets page.html playground.js playground.css
var files embed.FS

var page = template.Must(template.ParseFS(files, "page.html"))

// asset is one file served under /playground/<version>/.
type asset struct {
	contentType string
	body        []byte
}

var (
	// assets maps a file name to its content: the vendored files plus our own
	// playground.js and playground.css.
	assets = map[string]asset{}
	// assetVersion is a hash of every asset. It is part of the asset URLs, so
	// they can be cached forever and still change whenever any file does
	// (the vendored file names carry no hash, and playground.js has no version).
	assetVersion string
)

func init() {
	names, err := fs.Glob(files, "assets/*")
	if err != nil {
		panic(err)
	}
	names = append(names, "playground.js", "playground.css")
	h := sha256.New() // fs.Glob sorts, so the hash is stable
	for _, name := range names {
		body, err := files.ReadFile(name)
		if err != nil {
			panic(err)
		}
		base := path.Base(name)
		assets[base] = asset{contentType: contentType(base), body: body}
		fmt.Fprintf(h, "%s %d\n", base, len(body))
		h.Write(body)
	}
	assetVersion = hex.EncodeToString(h.Sum(nil))[:12]
}

// contentType is fixed per extension rather than taken from mime, whose table
// depends on the host's /etc/mime.types.
func contentType(name string) string {
	switch path.Ext(name) {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	default: // LICENSE.*, VERSIONS
		return "text/plain; charset=utf-8"
	}
}

// Example is a ready-made query shown as its own tab in the playground.
type Example struct {
	Name      string `json:"name"`
	Query     string `json:"query"`
	Variables string `json:"variables,omitempty"` // JSON object, may be empty
}

// Handler serves the playground page at "/" and its assets under
// "/playground/". endpoint is the GraphQL URL the page posts to (e.g.
// "/graphql"). title is shown in the page title.
//
// Asset URLs in the page are relative ("playground/..."), so the handler also
// works mounted under a prefix with http.StripPrefix, as long as the page URL
// ends with "/".
func Handler(title, endpoint string, examples []Example) http.Handler {
	if examples == nil {
		examples = []Example{} // "[]" rather than "null" in the page
	}
	var buf bytes.Buffer
	err := page.Execute(&buf, struct {
		Title, Endpoint, Base string
		Examples              []Example
	}{title, endpoint, "playground/" + assetVersion, examples})
	if err != nil {
		panic(err) // the template is fixed and its data cannot fail to encode
	}
	return &handler{page: buf.Bytes(), csp: csp(endpoint)}
}

// csp allows only our own scripts. Styles need 'unsafe-inline': GraphiQL's
// dialogs inject <style> elements (checked in Chromium). Its CSS embeds fonts
// and images as data: URLs. connect-src also admits the endpoint's origin when
// it is absolute.
func csp(endpoint string) string {
	connect := "'self'"
	if u, err := url.Parse(endpoint); err == nil && u.Scheme != "" && u.Host != "" {
		connect += " " + u.Scheme + "://" + u.Host
	}
	return strings.Join([]string{
		"default-src 'none'",
		"script-src 'self'",
		"style-src 'self' 'unsafe-inline'",
		"font-src 'self' data:",
		"img-src 'self' data:",
		"connect-src " + connect,
		"base-uri 'none'",
		"form-action 'none'",
		"frame-ancestors 'none'",
	}, "; ")
}

type handler struct {
	page []byte
	csp  string
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if r.URL.Path == "/" {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", h.csp)
		// The page names the current asset version, so it must not be cached.
		w.Header().Set("Cache-Control", "no-cache")
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(h.page))
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/playground/"+assetVersion+"/")
	a, found := assets[rest]
	if !ok || !found {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", a.contentType)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.body))
}
