//go:build cuda

package cuda

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/tensorforge/tensorforge/tensor"
)

// TestLaunchArgs checks, without a GPU, that each launch in this package's
// source passes as many arguments as the kernels it may launch take in the
// embedded PTX: a missing one would have the kernel read a parameter never
// passed. It reads the calls of launch (after the name, grid, block and
// shared memory) and of elementwise (which adds the count), and resolves a
// kernel name built from literals, the arithmetic names mathOf gives,
// transName's letters, the op tables, and a local variable's assignments.
// Launches whose arguments are spread from a slice are left to launch's own
// check, on a GPU.
func TestLaunchArgs(t *testing.T) {
	params := ptxParams(t)
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			vars := localNames(fn.Body)
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok || call.Ellipsis.IsValid() {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				var nameArg ast.Expr
				var args int
				switch {
				case sel.Sel.Name == "launch" && len(call.Args) >= 4:
					nameArg, args = call.Args[0], len(call.Args)-4
				case sel.Sel.Name == "elementwise" && len(call.Args) >= 3:
					nameArg, args = call.Args[1], len(call.Args)-3+1
				default:
					return true
				}
				at := fset.Position(call.Pos())
				re, err := regexp.Compile("^(" + strings.Join(namePatterns(nameArg, vars), "|") + ")$")
				if err != nil {
					t.Fatalf("%v: %v", at, err)
				}
				matched := 0
				for k, p := range params {
					if !re.MatchString(k) {
						continue
					}
					matched++
					if p != args {
						t.Errorf("%v: kernel %s takes %d arguments, launched with %d", at, k, p, args)
					}
				}
				if matched == 0 {
					t.Errorf("%v: no kernel matches %s", at, re)
				}
				checked++
				return true
			})
		}
	}
	// 27 when written: every launch but those that spread windowArgs' or
	// a probe's arguments.
	if checked < 25 {
		t.Errorf("checked %d launches: the source was not read as expected", checked)
	}
}

// localNames returns, for each local variable of a function body, the
// expressions assigned to it, an addition (+=) as the binary expression it
// stands for.
func localNames(body *ast.BlockStmt) map[string][]ast.Expr {
	vars := map[string][]ast.Expr{}
	ast.Inspect(body, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok || len(as.Lhs) != len(as.Rhs) {
			return true
		}
		for i, l := range as.Lhs {
			id, ok := l.(*ast.Ident)
			if !ok {
				continue
			}
			r := as.Rhs[i]
			if as.Tok == token.ADD_ASSIGN {
				for _, prev := range vars[id.Name] {
					vars[id.Name] = append(vars[id.Name], &ast.BinaryExpr{X: prev, Op: token.ADD, Y: r})
				}
				continue
			}
			vars[id.Name] = append(vars[id.Name], r)
		}
		return true
	})
	return vars
}

// namePatterns returns regular expressions for the names e may hold (see
// TestLaunchArgs).
func namePatterns(e ast.Expr, vars map[string][]ast.Expr) []string {
	alt := func(names []string) []string {
		var ps []string
		for _, n := range names {
			if n != "" {
				ps = append(ps, regexp.QuoteMeta(n))
			}
		}
		return ps
	}
	switch e := e.(type) {
	case *ast.BasicLit:
		if s, err := strconv.Unquote(e.Value); err == nil {
			return []string{regexp.QuoteMeta(s)}
		}
	case *ast.BinaryExpr:
		if e.Op == token.ADD {
			var ps []string
			for _, x := range namePatterns(e.X, vars) {
				for _, y := range namePatterns(e.Y, vars) {
					ps = append(ps, "(?:"+x+")(?:"+y+")")
				}
			}
			return ps
		}
	case *ast.Ident:
		if e.Name == "arith" {
			var names []string
			for _, p := range tensor.Precisions {
				for _, exact := range []bool{false, true} {
					a, _, _ := mathOf(p, exact)
					names = append(names, a)
				}
			}
			return alt(names)
		}
		var ps []string
		for _, v := range vars[e.Name] {
			ps = append(ps, namePatterns(v, vars)...)
		}
		return ps
	case *ast.CallExpr:
		if id, ok := e.Fun.(*ast.Ident); ok && id.Name == "transName" {
			return alt([]string{transName(false), transName(true)})
		}
	case *ast.IndexExpr:
		if id, ok := e.X.(*ast.Ident); ok {
			table := map[string][]string{"unaryKernels": unaryKernels[:], "unaryGradKernels": unaryGradKernels[:],
				"binaryKernels": binaryKernels[:], "reduceKernels": reduceKernels[:]}[id.Name]
			return alt(table)
		}
	}
	return nil
}
