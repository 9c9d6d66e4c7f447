module github.com/blason-badges/blason

go 1.26.8

require (
	filippo.io/edwards25519 v1.2.0
	github.com/go-jose/go-jose/v4 v4.1.9
	github.com/mr-tron/base58 v1.3.0
	github.com/piprate/json-gold v0.9.1
	github.com/santhosh-tekuri/jsonschema/v6 v6.0.3
	golang.org/x/text v0.34.0
)

require (
	github.com/cayleygraph/quad v1.3.0 // indirect
	github.com/pquerna/cachecontrol v0.2.0 // indirect
	github.com/stretchr/testify v1.11.1 // indirect
)

replace github.com/piprate/json-gold => ./third_party/json-gold
