package catalog

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// Global ids are "Type:123" in unpadded base64url: opaque to clients, self-describing for
// node(id:).

// GlobalID is the API's id of row id of the entity named typ.
func GlobalID(typ string, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(typ + ":" + strconv.FormatInt(id, 10)))
}

// ParseGlobalID reads a global id: the entity's name and the row's id.
func ParseGlobalID(gid string) (typ string, id int64, err error) {
	b, err := base64.RawURLEncoding.DecodeString(gid)
	if err == nil {
		var n string
		var ok bool
		typ, n, ok = strings.Cut(string(b), ":")
		if ok {
			id, err = strconv.ParseInt(n, 10, 64)
			if err == nil && typ != "" {
				return typ, id, nil
			}
		}
	}
	return "", 0, fmt.Errorf("%q is not an id of this API", gid)
}
