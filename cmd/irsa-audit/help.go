package main

import (
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// quietBoolFlags keeps pflag (since v1.1.0) from listing every boolean flag as
// "--aws[=true|false]" in --help: it does so for values that report IsBoolFlag. Wrapping the
// value hides that method; NoOptDefVal "true" (set by BoolVar) still lets "--aws" stand alone,
// and "--aws=false" still parses. It covers the help, version and completion flags too, which
// cobra would otherwise add lazily.
func quietBoolFlags(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		c.InitDefaultHelpFlag()
		c.InitDefaultVersionFlag()
		for _, fs := range []*pflag.FlagSet{c.Flags(), c.PersistentFlags()} {
			fs.VisitAll(func(f *pflag.Flag) {
				if _, ok := f.Value.(plainBool); !ok && f.Value.Type() == "bool" {
					f.Value = plainBool{f.Value}
				}
			})
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// plainBool is a boolean flag value without the IsBoolFlag method.
type plainBool struct{ v pflag.Value }

func (b plainBool) String() string     { return b.v.String() }
func (b plainBool) Set(s string) error { return b.v.Set(s) }
func (b plainBool) Type() string       { return "bool" }
