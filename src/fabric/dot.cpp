#include <fmt/format.h>

#include "fabric/describe.hpp"
#include "units/quantity.hpp"

namespace rackscope::fabric {

void write_dot(const Fabric& f, std::ostream& out) {
  out << "graph \"" << f.spec().name << "\" {\n  node [fontsize=9];\n";
  for (int v = 0; v < f.vertices(); ++v) {
    const char* shape = f.kind(v) == VertexKind::chip   ? "box"
                        : f.kind(v) == VertexKind::core ? "point"
                        : f.kind(v) == VertexKind::nic  ? "ellipse"
                        : f.kind(v) == VertexKind::die  ? "box3d"
                                                        : "diamond";
    out << fmt::format("  \"{}\" [shape={}];\n", f.vertex_name(v), shape);
  }
  for (size_t i = 0; i < f.links().size(); i += 2) {
    const Link& l = f.links()[i];
    const char* color = l.tier == Tier::scale_up ? "blue" : l.tier == Tier::scale_out ? "red" : "gray";
    // A bundle reads as its cables times each one's bandwidth.
    const std::string label = l.cables == 1 ? units::format_bandwidth(l.bandwidth_Bps)
                                            : fmt::format("{} x {}", l.cables, units::format_bandwidth(l.bandwidth_Bps / l.cables));
    out << fmt::format("  \"{}\" -- \"{}\" [label=\"{}\", color={}];\n", f.vertex_name(l.from), f.vertex_name(l.to), label, color);
  }
  out << "}\n";
}

}  // namespace rackscope::fabric
