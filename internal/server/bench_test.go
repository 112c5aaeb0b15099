package server_test

import "testing"

// BenchmarkNestedRequest measures a nested read end to end over HTTP (communes -> operators
// serving them -> projects -> programme and themes), statements included.
func BenchmarkNestedRequest(b *testing.B) {
	a := newAPI(b)
	// Pages sized to the demo, so that the request stays under the cost limit.
	const q = `{ territories(filter: {kind: {eq: COMMUNE}}, first: 19) { nodes { name servedBy(first: 100) { totalCount nodes { name
		projects(first: 20) { nodes { title budget programme { code } themes(first: 10) { nodes { code } } } } } } } } }`
	var data map[string]any
	a.query(q, nil, &data)
	start := a.statements.n.Load()
	b.ResetTimer()
	for b.Loop() {
		a.query(q, nil, &data)
	}
	b.ReportMetric(float64(a.statements.n.Load()-start)/float64(b.N), "statements/op")
}
