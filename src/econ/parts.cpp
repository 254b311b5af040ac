#include "econ/parts.hpp"

#include <stdexcept>
#include <string>

namespace rackscope::econ {
using fabric::Tier;
using fabric::VertexKind;

std::string scale_out_level_name(size_t level, size_t levels) {
  if (level == 0) return "leaf";
  if (levels >= 3 && level + 1 == levels) return "core";
  if (level == 1) return "spine";
  return "level-" + std::to_string(level + 1);
}

namespace {
// Scale-out level of every switch: 1 for switches joined to a NIC, then each switch one level
// above the lowest switch it is joined to (a folded Clos has no links inside a level).
std::vector<int> scale_out_levels(const fabric::Fabric& f) {
  const auto& links = f.links();
  std::vector<int> level(f.vertices(), 0);
  for (size_t i = 0; i < links.size(); i += 2)
    if (links[i].tier == Tier::scale_out) {
      if (f.kind(links[i].from) == VertexKind::nic) level[links[i].to] = 1;
      if (f.kind(links[i].to) == VertexKind::nic) level[links[i].from] = 1;
    }
  for (int current = 1;; ++current) {
    bool found = false;
    for (size_t i = 0; i < links.size(); i += 2) {
      if (links[i].tier != Tier::scale_out) continue;
      const int a = links[i].from, b = links[i].to;
      if (level[a] == current && level[b] == 0 && f.kind(b) == VertexKind::switch_) level[b] = current + 1, found = true;
      if (level[b] == current && level[a] == 0 && f.kind(a) == VertexKind::switch_) level[a] = current + 1, found = true;
    }
    if (!found) break;
  }
  return level;
}

int per_rack(int total, int racks, const char* what) {
  if (total % racks != 0)
    throw std::logic_error(std::string("econ: ") + what + " not the same in every rack: " + std::to_string(total) + " over " +
                           std::to_string(racks) + " racks");
  return total / racks;
}
}  // namespace

FabricParts count_parts(const fabric::Fabric& f) {
  FabricParts p;
  p.racks = f.racks();
  p.chips_per_rack = f.chips_per_rack();
  p.nics_per_rack = per_rack(f.count(VertexKind::nic), p.racks, "NICs");
  const auto& links = f.links();
  const std::vector<int> level = scale_out_levels(f);
  std::vector<char> scale_up(f.vertices(), 0), scale_out(f.vertices(), 0);
  int scale_up_links = 0;
  // Links come in pairs (one per direction): every even index is one physical link, of
  // `cables` cables (a bundle into the top of a Clos).
  for (size_t i = 0; i < links.size(); i += 2) {
    const fabric::Link& l = links[i];
    if (l.tier == Tier::scale_up) {
      scale_up_links += l.cables;
      scale_up[l.from] = scale_up[l.to] = 1;
    } else if (l.tier == Tier::scale_out) {
      scale_out[l.from] = scale_out[l.to] = 1;
      if (f.kind(l.from) == VertexKind::nic || f.kind(l.to) == VertexKind::nic) {
        p.nic_links += l.cables;
      } else {
        const size_t lower = static_cast<size_t>(std::min(level[l.from], level[l.to]));
        if (lower == 0) throw std::logic_error("econ: a scale-out link joins a switch no NIC reaches: " + f.vertex_name(l.from));
        if (p.switch_links.size() < lower) p.switch_links.resize(lower, 0);
        p.switch_links[lower - 1] += l.cables;
      }
    }
  }
  int scale_up_switches = 0;
  for (int v = 0; v < f.vertices(); ++v) {
    if (f.kind(v) != VertexKind::switch_) continue;
    if (scale_up[v]) {
      ++scale_up_switches;
    } else if (scale_out[v]) {
      const size_t l = static_cast<size_t>(level[v]);
      if (l == 0) throw std::logic_error("econ: scale-out switch " + f.vertex_name(v) + " is not joined to the Clos");
      if (p.scale_out_switches.size() < l) p.scale_out_switches.resize(l, 0);
      ++p.scale_out_switches[l - 1];
    } else {
      ++p.host_switches;
    }
  }
  p.scale_up_switches_per_rack = per_rack(scale_up_switches, p.racks, "scale-up switches");
  p.scale_up_links_per_rack = per_rack(scale_up_links, p.racks, "scale-up links");
  return p;
}

}  // namespace rackscope::econ
