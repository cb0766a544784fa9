package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tensorforge/tensorforge/internal/hostfile"
)

// maxReportBytes bounds a saved report: a full run's JSON is about 60 kB.
const maxReportBytes = 64 << 20

// Load reads a report that `alexnet bench -json` wrote, of this format or
// an older one, and checks what a comparison relies on: at least one
// device, named once each, rows with an operation name and, in each cell,
// a device the report lists and no negative time. Errors name the file.
func Load(path string) (*Report, error) {
	b, err := hostfile.ReadFile(path, maxReportBytes)
	if err != nil {
		return nil, err
	}
	// Unknown fields are let through: a newer program's report still
	// compares on what this one knows, and check refuses what is not a
	// report at all.
	dec := json.NewDecoder(bytes.NewReader(b))
	var r Report
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("%s: not a bench report: %w", path, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%s: not a bench report: more after the JSON object", path)
	}
	if err := r.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for i := range r.Devices {
		r.Devices[i].inferPrecision()
	}
	return &r, nil
}

// inferPrecision fills in the precision of a device an older report did
// not record it for, from what it did record: the CPU computes in FP32,
// and a GPU's %-of-peak reference is the TF32 probe exactly when its GEMMs
// ran on TF32.
func (d *DeviceInfo) inferPrecision() {
	switch {
	case d.Precision != "":
	case d.Name == "cpu":
		d.Precision = "fp32"
	case strings.HasSuffix(d.Reference, "-tf32"):
		d.Precision = "tf32"
	case strings.HasSuffix(d.Reference, "-fp32"):
		d.Precision = "fp32"
	}
}

// check reports what makes r unusable in a comparison.
func (r *Report) check() error {
	if r.Format > ReportFormat {
		return fmt.Errorf("report format %d is newer than this program's %d", r.Format, ReportFormat)
	}
	if len(r.Devices) == 0 {
		return fmt.Errorf("the report lists no devices")
	}
	devices := map[string]bool{}
	for _, d := range r.Devices {
		if d.Name == "" || devices[d.Name] {
			return fmt.Errorf("device %q is unnamed or listed twice", d.Name)
		}
		devices[d.Name] = true
	}
	for i, row := range r.Rows {
		if row.Op == "" {
			return fmt.Errorf("row %d has no operation name", i)
		}
		for dev, c := range row.Cells {
			switch {
			case !devices[dev]:
				return fmt.Errorf("row %s: a cell for device %q, which the report does not list", row.Op, dev)
			case c.Ms < 0 || c.MinMs < 0 || c.MaxMs < 0:
				return fmt.Errorf("row %s on %s: a negative time", row.Op, dev)
			}
		}
	}
	return nil
}
