package issuer

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
)

// StatusIndex returns the n-th index a status list hands out: a keyed
// pseudo-random permutation of [0, size), so that consecutive awards get
// unrelated positions (Bitstring Status List §6 "Privacy Considerations":
// indices should be random so that neighbouring entries reveal nothing),
// while allocation stays a counter increment in the award's transaction:
// unique, never reused, no retries, and crash-safe.
//
// It is a 4-round Feistel network over the smallest even power of two ≥
// size, keyed with HMAC-SHA-256, with cycle walking to stay below size.
// It panics if n is outside [0, size) or size < 2, which callers prevent.
func StatusIndex(key []byte, size, n int) int {
	if size < 2 || n < 0 || n >= size {
		panic("issuer: StatusIndex out of range")
	}
	bits := 2
	for 1<<bits < size {
		bits++
	}
	if bits%2 == 1 {
		bits++
	}
	half := uint(bits / 2)
	mask := uint64(1)<<half - 1
	mac := hmac.New(sha256.New, key)
	var buf [9]byte
	round := func(r byte, x uint64) uint64 {
		mac.Reset()
		buf[0] = r
		binary.BigEndian.PutUint64(buf[1:], x)
		mac.Write(buf[:])
		return binary.BigEndian.Uint64(mac.Sum(nil)[:8]) & mask
	}
	x := uint64(n)
	for {
		l, r := x>>half, x&mask
		for i := byte(0); i < 4; i++ {
			l, r = r, l^round(i, r)
		}
		x = l<<half | r
		if x < uint64(size) {
			return int(x)
		}
	}
}
