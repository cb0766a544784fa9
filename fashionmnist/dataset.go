// Package fashionmnist reads Zalando Research's Fashion-MNIST (the IDX
// files, gzipped or not), finds or downloads them, and serves shuffled,
// prefetched batches ready to upload to a tensor device.
package fashionmnist

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// NumClasses is the number of classes; labels are 0..NumClasses-1.
const NumClasses = 10

var classNames = [NumClasses]string{
	"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
	"Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
}

// ClassName returns the name of class label, such as "Ankle boot" for 9,
// or "class N" for a label outside 0..NumClasses-1.
func ClassName(label int) string {
	if label < 0 || label >= NumClasses {
		return fmt.Sprintf("class %d", label)
	}
	return classNames[label]
}

// The file names of the official distribution.
const (
	TrainImagesFile = "train-images-idx3-ubyte.gz"
	TrainLabelsFile = "train-labels-idx1-ubyte.gz"
	TestImagesFile  = "t10k-images-idx3-ubyte.gz"
	TestLabelsFile  = "t10k-labels-idx1-ubyte.gz"
)

// files lists the four files a data directory must hold.
var files = [...]string{TrainImagesFile, TrainLabelsFile, TestImagesFile, TestLabelsFile}

// Dataset is a set of grayscale images held in memory, labelled or not.
// It is a classify.Dataset, safe for concurrent reads.
type Dataset struct {
	// Images holds Len() images of Rows x Cols pixels, row-major, one after
	// another.
	Images []uint8
	// Labels holds the class of each image, 0..NumClasses-1, or is nil
	// for images without labels (ones to classify).
	Labels []uint8
	// Rows and Cols are the size of every image (28x28 for Fashion-MNIST).
	Rows, Cols int
}

// Len returns the number of images.
func (d *Dataset) Len() int {
	if d.Rows*d.Cols == 0 {
		return 0
	}
	return len(d.Images) / (d.Rows * d.Cols)
}

// Shape returns the size of every image: one channel, Rows x Cols.
func (d *Dataset) Shape() (channels, height, width int) { return 1, d.Rows, d.Cols }

// Image returns the pixels of image i, sharing memory with d.Images.
func (d *Dataset) Image(i int) []uint8 {
	n := d.Rows * d.Cols
	return d.Images[i*n : (i+1)*n : (i+1)*n]
}

// Label returns the class of image i, or -1 when d has no labels.
func (d *Dataset) Label(i int) int {
	if d.Labels == nil {
		return -1
	}
	return int(d.Labels[i])
}

// ReadDataset reads an IDX image file and its IDX label file and checks
// that they hold as many images as labels.
func ReadDataset(imagesPath, labelsPath string) (*Dataset, error) {
	im, err := ReadImagesFile(imagesPath)
	if err != nil {
		return nil, err
	}
	labels, err := ReadLabelsFile(labelsPath)
	if err != nil {
		return nil, err
	}
	if im.N != len(labels) {
		return nil, fmt.Errorf("%s holds %d images but %s holds %d labels", imagesPath, im.N, labelsPath, len(labels))
	}
	return &Dataset{Images: im.Pixels, Labels: labels, Rows: im.Rows, Cols: im.Cols}, nil
}

// Load reads the training and test sets from dir, which holds the four
// files under their official names, or under those names less ".gz"
// (torchvision's raw folder has both).
func Load(dir string) (train, test *Dataset, err error) {
	var paths [len(files)]string
	for i, name := range files {
		if paths[i], err = findFile(dir, name); err != nil {
			return nil, nil, err
		}
	}
	if train, err = ReadDataset(paths[0], paths[1]); err != nil {
		return nil, nil, err
	}
	if test, err = ReadDataset(paths[2], paths[3]); err != nil {
		return nil, nil, err
	}
	if train.Rows != test.Rows || train.Cols != test.Cols {
		return nil, nil, fmt.Errorf("%s: training images are %dx%d but test images %dx%d", dir, train.Rows, train.Cols, test.Rows, test.Cols)
	}
	return train, test, nil
}

// findFile returns the path of name in dir, or of name less ".gz".
func findFile(dir, name string) (string, error) {
	path := filepath.Join(dir, name)
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		return path, err
	}
	plain := strings.TrimSuffix(path, ".gz")
	if _, err := os.Stat(plain); err == nil {
		return plain, nil
	}
	return "", fmt.Errorf("%s: no %s (nor %s)", dir, name, filepath.Base(plain))
}

// missing returns the files dir lacks, or all of them if dir is unreadable.
func missing(dir string) []string {
	var out []string
	for _, name := range files {
		if _, err := findFile(dir, name); err != nil {
			out = append(out, name)
		}
	}
	return out
}
