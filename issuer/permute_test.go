package issuer

import "testing"

// TestStatusIndexIsAPermutation: every index in [0, size) is handed out
// exactly once, for list sizes that are and are not powers of two.
func TestStatusIndexIsAPermutation(t *testing.T) {
	for _, size := range []int{2, 7, 1000, 131072} {
		key := []byte("k" + string(rune(size)))
		seen := make([]bool, size)
		for n := 0; n < size; n++ {
			i := StatusIndex(key, size, n)
			if i < 0 || i >= size || seen[i] {
				t.Fatalf("size %d: index %d for n=%d repeated or out of range", size, i, n)
			}
			seen[i] = true
		}
	}
}

// TestStatusIndexLooksRandom: consecutive awards do not land next to each
// other, and different keys give different orders.
func TestStatusIndexLooksRandom(t *testing.T) {
	const size = 131072
	adjacent := 0
	for n := 0; n < 1000; n++ {
		d := StatusIndex([]byte("a"), size, n) - StatusIndex([]byte("a"), size, n+1)
		if d == 1 || d == -1 {
			adjacent++
		}
	}
	if adjacent > 5 {
		t.Fatalf("%d of 1000 consecutive indices are adjacent", adjacent)
	}
	same := 0
	for n := 0; n < 1000; n++ {
		if StatusIndex([]byte("a"), size, n) == StatusIndex([]byte("b"), size, n) {
			same++
		}
	}
	if same > 5 {
		t.Fatalf("two keys agree on %d of 1000 indices", same)
	}
}

func BenchmarkStatusIndex(b *testing.B) {
	key := make([]byte, 32)
	for i := 0; i < b.N; i++ {
		StatusIndex(key, 131072, i%131072)
	}
}
