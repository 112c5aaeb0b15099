.PHONY: run test generate bench fault

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
	go run ./cmd/cohesio bench exports --data-dir /tmp/cohesio-bench
	go run ./cmd/cohesio bench collection --data-dir /tmp/cohesio-bench
	go run ./cmd/cohesio bench report --data-dir /tmp/cohesio-bench --year 2024

# The load-and-fault test: PostgreSQL restarted under load (a private cluster of its own).
fault:
	go run ./cmd/cohesio bench fault
