package nn

import "github.com/tensorforge/tensorforge/tensor"

// CrossEntropy is the mean softmax cross-entropy of logits against class
// labels, as PyTorch's nn.CrossEntropyLoss. Its results stay on the device
// until the caller reads them, so a training loop need not wait for the
// device every step. It keeps them between calls, so it is not safe for
// concurrent use.
type CrossEntropy struct {
	loss, correct *tensor.Tensor
	dlogits       batchBuf
	grad          *tensor.Tensor
}

// Forward computes, for logits [N, K] and labels (Int32 [N]), the mean
// loss (Float32 [1]) and the number of rows whose first largest logit is the
// label (Int32 [1]); with wantGrad it also computes the gradient Backward
// returns. The two tensors are reused by the next Forward.
func (c *CrossEntropy) Forward(logits, labels *tensor.Tensor, wantGrad bool) (loss, correct *tensor.Tensor) {
	dev := logits.Device()
	if c.loss == nil || c.loss.Device() != dev {
		c.loss, c.correct = tensor.Zeros(dev, 1), tensor.New(dev, tensor.Int32, 1)
	}
	c.grad = nil
	if wantGrad {
		c.grad = c.dlogits.get(dev, tensor.Float32, logits.Dim(0), logits.Shape()[1:])
	}
	tensor.SoftmaxCrossEntropy(c.loss, c.correct, c.grad, logits, labels)
	return c.loss, c.correct
}

// Backward returns the gradient of the mean loss with respect to the
// logits of the last Forward, which must have asked for it.
func (c *CrossEntropy) Backward() *tensor.Tensor {
	if c.grad == nil {
		panic("nn: CrossEntropy.Backward without a Forward that wanted the gradient")
	}
	return c.grad
}
