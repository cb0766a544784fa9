package fashionmnist

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tensorforge/tensorforge/internal/atomicfile"
)

// knownSHA256 holds, for each file, the SHA-256 of the two releases a
// download may be: the official files, and the copies in the repository's
// data/fashion-mnist, which hold the same images in another order (see
// its README).
var knownSHA256 = map[string][2]string{
	TrainImagesFile: {
		"3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
		"46f890b9bd69018b6f921b8655a7cb2e3c0626d8e204e22f335cfcfd7ee0e550",
	},
	TrainLabelsFile: {
		"a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
		"5ddcfb46dd80b751e818d0bb561a7a47351f8f735423c3fc8fb8e3ee3b81ef7e",
	},
	TestImagesFile: {
		"346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
		"c9d7be215bbb62ca63cb97d9a345897f9aefb8beddb465a5e734f585c973fc75",
	},
	TestLabelsFile: {
		"67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
		"b63be93377c6975ad7baf027324385840ff9bd1e1d1705ba5951dc3ad909b0d4",
	},
}

// maxDownload caps what a download may write to disk: the largest file,
// the training images, is 26 MB.
const maxDownload = 64 << 20

// download fetches base+name into dir/name, checking its SHA-256 before
// renaming it into place, so that dir never holds a partial or wrong file
// under the final name.
func download(ctx context.Context, client *http.Client, base, dir, name string) (err error) {
	u, err := url.JoinPath(base, name)
	if err != nil {
		return fmt.Errorf("base URL %q: %w", base, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("base URL %q: %w", base, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("downloading %s: %w", name, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("downloading %s: GET %s: %s", name, u, resp.Status)
	}

	return atomicfile.Write(filepath.Join(dir, name), func(w io.Writer) error {
		h := sha256.New()
		n, err := io.Copy(io.MultiWriter(w, h), io.LimitReader(resp.Body, maxDownload+1))
		if err != nil {
			return fmt.Errorf("downloading %s from %s: %w", name, u, err)
		}
		if n > maxDownload {
			return fmt.Errorf("downloading %s from %s: more than %d MiB, not a Fashion-MNIST file", name, u, maxDownload>>20)
		}
		sum := hex.EncodeToString(h.Sum(nil))
		if want := knownSHA256[name]; !slices.Contains(want[:], sum) {
			return fmt.Errorf("downloading %s from %s: SHA-256 is %s, want %s", name, u, sum, strings.Join(want[:], " or "))
		}
		return nil
	})
}
