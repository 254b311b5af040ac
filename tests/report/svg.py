"""Reading a plot back from its SVG: the elements a series drew (matplotlib writes an artist's gid
as the id of its <g>), axis labels and legend entries as text."""
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"


class Svg:
    def __init__(self, path):
        self.root = ET.parse(path).getroot()
        self.groups = {g.get("id"): g for g in self.root.iter() if g.get("id")}

    def ids(self, prefix):
        return sorted(i for i in self.groups if i.startswith(prefix))

    def markers(self, gid):
        """Markers a scatter or a marked line drew: one <use> each, or, for a collection matplotlib
        found cheaper to draw inline, one <path> each. None when the id is absent."""
        g = self.groups.get(gid)
        if g is None:
            return None
        uses = sum(1 for _ in g.iter(SVG + "use"))
        return uses or sum(1 for _ in g.findall(SVG + "path"))

    def texts(self, gid):
        """Every text string under the groups with this id (all axes' labels for "xlabel")."""
        out = []
        for g in self.root.iter():
            if g.get("id") == gid or (gid and (g.get("id") or "").startswith(gid + "_")):
                out += ["".join(t.itertext()).strip() for t in g.iter(SVG + "text")]
        return out

    def all_text(self):
        return ["".join(t.itertext()).strip() for t in self.root.iter(SVG + "text")]
