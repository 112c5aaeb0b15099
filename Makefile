.PHONY: run test generate bench

# The two commands of the README.
run:
	go run ./cmd/cohesio serve --demo

test:
	go test ./...

generate:
	go generate ./...

bench:
	go test -run '^$$' -bench . -benchmem ./...
	go run ./cmd/cohesio bench --data-dir /tmp/cohesio-bench
