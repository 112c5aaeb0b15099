// Package schema embeds the GraphQL SDL files: gqlgen generates the executor from them and
// the catalog reads the relational model from their directives.
package schema

import "embed"

// Files holds every *.graphqls file of this directory.
//
//go:embed *.graphqls
var Files embed.FS
