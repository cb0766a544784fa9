package convmap

// The kernels' tiling of an operand: each k step, Threads threads copy a
// TileMN x BK tile (TileMN rows of M or N, BK values of k) from global to
// shared memory, Copies(BK) elements each. The gather copies one float at a
// time, so what matters is that a warp's 32 copies read consecutive values
// of the decoded index d, which are neighbours in memory for a stride-1
// view. LoadMN and LoadK are the two assignments the kernels use.
const (
	Threads = 256
	TileMN  = 128
)

// Copies returns the elements each thread copies per k step of depth bk.
func Copies(bk int) int { return TileMN * bk / Threads }

// LoadMN is the assignment when d runs along the tile's MN side (the
// forward pass and the data gradient): copy i of thread tid is element
// (lane + 32*(i%4), warp + 8*(i/4)), so each thread keeps four columns for
// the whole product and decodes them once.
func LoadMN(tid, i, bk int) (mn, k int) {
	return tid%32 + 32*(i%4), tid/32 + 8*(i/4)
}

// LoadK is the assignment when d runs along k (the weight gradient, whose k
// is the batch's positions): copy i of thread tid is element (tid/bk +
// (Threads/bk)*i, tid%bk), so a thread decodes one d per step and reuses it
// for all its rows.
func LoadK(tid, i, bk int) (mn, k int) {
	return tid/bk + Threads/bk*i, tid % bk
}

// PermuteWeight returns a convolution's weight w [o, c*kk] (kk the kernel's
// area) as [c, o*kk], the data gradient's left operand, whose k = (o, kh,
// kw) matches DataGrad's rows: the model of kernel conv_weight_t.
func PermuteWeight(w []float32, o, c, kk int) []float32 {
	wt := make([]float32, len(w))
	for co := range o {
		for ci := range c {
			copy(wt[ci*o*kk+co*kk:][:kk], w[co*c*kk+ci*kk:][:kk])
		}
	}
	return wt
}
