"""rackscope report: plots (PNG + SVG) and one self-contained index.html from rackscope's results.

Reads the HDF5 file of `rackscope sweep`, the `--json` of `step`, `collective`, `size` and
`compare`, a `topo --dot` fabric and the validation scripts' `--json` dumps; the kind of each
input is told from its content, never from its name."""
