package server

// SetImportMaxBytes sets the import body limit of the servers built next, for the tests of
// server_test, and returns how to restore it.
func SetImportMaxBytes(n int64) (restore func()) {
	old := importMaxBytes
	importMaxBytes = n
	return func() { importMaxBytes = old }
}
