package server

// FailedAuthBurst is the failed authentications an address may have at once, for the tests
// of server_test.
func FailedAuthBurst(rateBurst int) int {
	_, burst := failedAuthBudget(0, rateBurst)
	return burst
}
