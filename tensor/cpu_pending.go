package tensor

// Operations the CPU device has yet to implement in their own files.

func (cpuDevice) Gemm(g *GemmArgs)                                                   { panic("todo") }
func (cpuDevice) Im2col(cols, x *Tensor, w Window)                                   { panic("todo") }
func (cpuDevice) Col2im(dx, cols *Tensor, w Window)                                  { panic("todo") }
func (cpuDevice) BiasAdd(y, b *Tensor)                                               { panic("todo") }
func (cpuDevice) BiasGrad(db, dy *Tensor)                                            { panic("todo") }
func (cpuDevice) MaxPool(y, argmax, x *Tensor, w Window)                             { panic("todo") }
func (cpuDevice) MaxPoolGrad(dx, dy, argmax *Tensor)                                 { panic("todo") }
func (cpuDevice) Dropout(y, mask, x *Tensor, p float32, seed uint64)                 { panic("todo") }
func (cpuDevice) SoftmaxCrossEntropy(loss, correct, dlogits, logits, labels *Tensor) { panic("todo") }
func (cpuDevice) SGD(params, grads, velocity *Tensor, o SGDOptions)                  { panic("todo") }
func (cpuDevice) Resize(dst, src *Tensor)                                            { panic("todo") }
