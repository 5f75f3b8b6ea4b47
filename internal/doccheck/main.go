// Command doccheck reports exported identifiers that have no doc comment.
//
// Usage: go run ./internal/doccheck DIR...
//
// It reads the non-test Go files under each DIR, skipping testdata and
// vendor folders, and prints one line for every exported package-level
// function, method, type, variable or constant without a doc comment
// (a comment on its enclosing group counts), and for every package with no
// package comment. It exits 1 if it printed anything.
package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	var problems []string
	fset := token.NewFileSet()
	for _, root := range os.Args[1:] {
		dirs := map[string][]*ast.File{}
		err := walkGo(root, false, func(path string) error {
			f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
			if err != nil {
				return err
			}
			dirs[filepath.Dir(path)] = append(dirs[filepath.Dir(path)], f)
			return nil
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, "doccheck:", err)
			os.Exit(2)
		}
		for dir, files := range dirs {
			problems = append(problems, checkPackage(fset, dir, files)...)
		}
	}
	sort.Strings(problems)
	for _, p := range problems {
		fmt.Println(p)
	}
	if len(problems) > 0 {
		os.Exit(1)
	}
}

// walkGo calls fn with the path of each Go file under root, test files
// only if tests, leaving out testdata, vendor and hidden directories. It
// returns the first error of the walk or of fn.
func walkGo(root string, tests bool, fn func(path string) error) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && (d.Name() == "testdata" || d.Name() == "vendor" || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || (!tests && strings.HasSuffix(path, "_test.go")) {
			return nil
		}
		return fn(path)
	})
}

func checkPackage(fset *token.FileSet, dir string, files []*ast.File) []string {
	var problems []string
	hasPackageDoc := false
	for _, f := range files {
		if f.Doc != nil {
			hasPackageDoc = true
		}
	}
	if !hasPackageDoc {
		problems = append(problems, fmt.Sprintf("%s: package %s has no package comment", dir, files[0].Name.Name))
	}
	report := func(pos token.Pos, what, name string) {
		problems = append(problems, fmt.Sprintf("%s: exported %s %s has no doc comment", fset.Position(pos), what, name))
	}
	for _, f := range files {
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if !d.Name.IsExported() || d.Doc != nil {
					continue
				}
				if d.Recv != nil {
					if recv := receiverType(d.Recv.List[0].Type); recv == "" || !ast.IsExported(recv) {
						continue
					}
					report(d.Pos(), "method", d.Name.Name)
				} else {
					report(d.Pos(), "function", d.Name.Name)
				}
			case *ast.GenDecl:
				if d.Doc != nil || d.Tok == token.IMPORT {
					continue
				}
				for _, spec := range d.Specs {
					switch s := spec.(type) {
					case *ast.TypeSpec:
						if s.Name.IsExported() && s.Doc == nil {
							report(s.Pos(), "type", s.Name.Name)
						}
					case *ast.ValueSpec:
						if s.Doc != nil || s.Comment != nil {
							continue
						}
						for _, n := range s.Names {
							if n.IsExported() {
								report(n.Pos(), strings.ToLower(d.Tok.String()), n.Name)
							}
						}
					}
				}
			}
		}
	}
	return problems
}

// receiverType returns the name of a method's receiver type.
func receiverType(expr ast.Expr) string {
	switch t := expr.(type) {
	case *ast.StarExpr:
		return receiverType(t.X)
	case *ast.IndexExpr:
		return receiverType(t.X)
	case *ast.IndexListExpr:
		return receiverType(t.X)
	case *ast.Ident:
		return t.Name
	}
	return ""
}
