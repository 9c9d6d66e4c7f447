// Package blason is the root of the Blason module; the program is in
// cmd/blason and the packages are described in docs/ARCHITECTURE.md. This
// package holds only repository-wide tests.
package blason
