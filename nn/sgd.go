package nn

import "github.com/tensorforge/tensorforge/tensor"

// SGD is stochastic gradient descent over a whole parameter arena in one
// device call, with torch.optim.SGD's optional momentum and weight decay
// (both 0, plain SGD, unless set). It belongs to one model and, like it,
// is not safe for concurrent use.
type SGD struct {
	// Options may be changed between steps (a learning-rate schedule).
	Options tensor.SGDOptions

	params, grads *tensor.Tensor
	velocity      *tensor.Tensor
}

// NewSGD returns an optimizer updating params from grads (one arena each,
// as Sequential.Arena returns).
func NewSGD(params, grads *tensor.Tensor, o tensor.SGDOptions) *SGD {
	s := &SGD{Options: o, params: params, grads: grads}
	s.ensureVelocity()
	return s
}

// ensureVelocity allocates the momentum buffer once momentum is on.
// PyTorch starts the buffer at the first gradient; starting from zero,
// v = m*0 + g is the same thing.
func (s *SGD) ensureVelocity() {
	if s.Options.Momentum != 0 && s.velocity == nil {
		s.velocity = tensor.Zeros(s.params.Device(), s.params.Shape()...)
	}
}

// Step applies one update.
func (s *SGD) Step() {
	s.ensureVelocity()
	tensor.SGD(s.params, s.grads, s.velocity, s.Options)
}

// Velocity returns the momentum buffer, the optimizer's only state, shaped
// as the parameter arena, for a checkpoint to save or restore; nil for plain
// SGD.
func (s *SGD) Velocity() *tensor.Tensor { return s.velocity }

// Free returns the momentum buffer's memory to its device.
func (s *SGD) Free() {
	if s.velocity != nil {
		s.velocity.Free()
		s.velocity = nil
	}
}
