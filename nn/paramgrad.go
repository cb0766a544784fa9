package nn

// gradOverwriter is a Parametric layer whose Backward can write its
// parameters' gradients rather than add into them. After DiscardGrad,
// Sequential asks that of every such layer: the products then take beta
// 0, so a training step needs no pass that zeroes the arena first nor
// reads of it in the products. Layers without it get their gradients
// zeroed before their Backward instead.
type gradOverwriter interface {
	// overwriteGrads sets whether the next Backward writes the gradients
	// (on) or adds into them.
	overwriteGrads(on bool)
}

// paramGrads, embedded in a layer, is its gradOverwriter: the zero value
// adds into the gradients, as a Layer's Backward is documented to.
type paramGrads struct{ overwrite bool }

func (g *paramGrads) overwriteGrads(on bool) { g.overwrite = on }

// gradBeta is the beta of the operations that write the gradients: 0
// overwrites them, 1 adds into them.
func (g *paramGrads) gradBeta() float32 {
	if g.overwrite {
		return 0
	}
	return 1
}
