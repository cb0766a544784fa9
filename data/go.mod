// The Fashion-MNIST files live in a module of their own so that the zip of
// the main module, which `go get` downloads, leaves out their 30 MB.
module github.com/tensorforge/tensorforge/data

go 1.26.0
