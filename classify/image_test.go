package classify

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"slices"
	"strings"
	"testing"
)

// encodePNG returns img as a PNG file.
func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// withSize returns the PNG file p with the width and height its header
// declares replaced, its checksum fixed: a small file that claims a huge
// image.
func withSize(p []byte, w, h uint32) []byte {
	q := slices.Clone(p)
	// The IHDR chunk follows the 8-byte signature: length, type, then
	// width and height, and its CRC after 13 bytes of data.
	binary.BigEndian.PutUint32(q[16:], w)
	binary.BigEndian.PutUint32(q[20:], h)
	binary.BigEndian.PutUint32(q[29:], crc32.ChecksumIEEE(q[12:29]))
	return q
}

func TestDecodeImage(t *testing.T) {
	gray := image.NewGray(image.Rect(0, 0, 3, 2))
	copy(gray.Pix, []uint8{0, 10, 20, 30, 40, 255})
	im, err := DecodeImage(encodePNG(t, gray), 1)
	if err != nil {
		t.Fatal(err)
	}
	if im.Channels != 1 || im.Height != 2 || im.Width != 3 || !slices.Equal(im.Pixels, []uint8{0, 10, 20, 30, 40, 255}) {
		t.Errorf("gray PNG: %+v", im)
	}

	rgba := image.NewNRGBA(image.Rect(0, 0, 2, 1))
	rgba.Set(0, 0, color.NRGBA{R: 200, G: 100, B: 50, A: 255})
	rgba.Set(1, 0, color.NRGBA{R: 255, G: 255, B: 255, A: 0}) // transparent: black
	im, err = DecodeImage(encodePNG(t, rgba), 3)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(im.Pixels, []uint8{200, 0, 100, 0, 50, 0}) {
		t.Errorf("RGB planes %v, want [200 0 100 0 50 0]", im.Pixels)
	}
	im, err = DecodeImage(encodePNG(t, rgba), 1)
	if err != nil || im.Pixels[1] != 0 || im.Pixels[0] != uint8((299*200+587*100+114*50+500)/1000) {
		t.Errorf("gray of color: %v, %v", im.Pixels, err)
	}

	var j bytes.Buffer
	if err := jpeg.Encode(&j, gray, nil); err != nil {
		t.Fatal(err)
	}
	if im, err := DecodeImage(j.Bytes(), 1); err != nil || im.Width != 3 {
		t.Errorf("JPEG: %+v, %v", im, err)
	}
}

// TestDecodeImageRefuses checks the files a careless user or an attacker
// might give: each is refused with a clear error, and a huge declared size
// before any pixel is decoded (it would take 40 GB).
func TestDecodeImageRefuses(t *testing.T) {
	small := encodePNG(t, image.NewGray(image.Rect(0, 0, 2, 2)))
	for _, c := range []struct {
		name     string
		data     []byte
		channels int
		want     string
	}{
		{"huge", withSize(small, 100000, 100000), 1, "png image of 100000x100000: each side must be 1 to 4096"},
		{"zero", withSize(small, 0, 5), 1, "not a PNG or JPEG"},
		{"text", []byte("hello"), 1, "not a PNG or JPEG"},
		{"truncated", small[:len(small)-20], 1, "png image"},
		{"channels", small, 2, "2 channels"},
	} {
		allocs := testing.AllocsPerRun(1, func() {
			_, err := DecodeImage(c.data, c.channels)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
			}
		})
		if allocs > 100 {
			t.Errorf("%s: %v allocations to refuse it", c.name, allocs)
		}
	}
}

// FuzzDecodeImage checks that no input makes DecodeImage panic or return
// an image whose pixels do not match its size.
func FuzzDecodeImage(f *testing.F) {
	small := encodePNG(f, image.NewGray(image.Rect(0, 0, 2, 3)))
	f.Add(small, 1)
	f.Add(withSize(small, 100000, 100000), 1)
	f.Add(encodePNG(f, image.NewRGBA(image.Rect(0, 0, 3, 1))), 3)
	f.Add([]byte("\x89PNG\r\n\x1a\n"), 1)
	f.Add([]byte{0xff, 0xd8, 0xff, 0xe0}, 1)
	f.Fuzz(func(t *testing.T, data []byte, channels int) {
		im, err := DecodeImage(data, channels)
		if err != nil {
			return
		}
		if err := im.check(); err != nil {
			t.Fatalf("decoded an image that fails its own check: %v", err)
		}
	})
}
