module example.com/outside

go 1.26.8

require github.com/blason-badges/blason v0.0.0

require (
	filippo.io/edwards25519 v1.2.0 // indirect
	github.com/cayleygraph/quad v1.3.0 // indirect
	github.com/go-jose/go-jose/v4 v4.1.9 // indirect
	github.com/mr-tron/base58 v1.3.0 // indirect
	github.com/pquerna/cachecontrol v0.2.0 // indirect
	github.com/santhosh-tekuri/jsonschema/v6 v6.0.3 // indirect
	golang.org/x/text v0.43.0 // indirect
)

// CI builds this module against the checkout it lives in: it stands for any
// Go program that imports Blason (replace directives of a dependency, like
// the one json-gold used to be, would be ignored here).
replace github.com/blason-badges/blason => ../..
