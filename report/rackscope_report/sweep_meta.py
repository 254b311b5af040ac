"""What a sweep file says about itself: the run's title (spec, model, tokens, configurations) and,
for each row, its rack configuration and packaging, found by following the verbatim inputs stored
in /meta/inputs (cluster -> rack -> chip -> packaging sheet)."""
import os
import tomllib

import numpy as np


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


class SweepMeta:
    def __init__(self, f):
        self.f = f
        self.inputs = {os.path.normpath(text(d.attrs["path"])): text(d[()]) for d in f["meta/inputs"].values()}
        self.spec_path = os.path.normpath(text(f["meta"].attrs.get("spec", "")))
        self.spec = self._toml(self.spec_path) or {}
        self.axes = [text(a) for a in f["space"].attrs["axes"]]

    def _toml(self, path):
        body = self.inputs.get(os.path.normpath(path))
        if body is None:
            return None
        try:
            return tomllib.loads(body)
        except tomllib.TOMLDecodeError:
            return None

    def _follow(self, path, key):
        """The file `key` of the stored input at `path` names, as a normalised path."""
        doc = self._toml(path) or {}
        rel = doc.get(key)
        return os.path.normpath(os.path.join(os.path.dirname(path), rel)) if isinstance(rel, str) else None

    def _name(self, path, fallback):
        doc = self._toml(path) if path else None
        if doc and isinstance(doc.get("name"), str):
            return doc["name"]
        return os.path.splitext(os.path.basename(path))[0] if path else fallback

    def title(self):
        name = self.spec.get("name") or os.path.splitext(os.path.basename(self.spec_path))[0] or "sweep"
        models, tokens = [], []
        for w in self.spec.get("workloads", []):
            m = w.get("model")
            if isinstance(m, str):
                models.append(os.path.splitext(os.path.basename(m))[0])
            t = w.get("train_tokens")
            t = t.get("value") if isinstance(t, dict) else t
            if isinstance(t, (int, float)):
                tokens.append(f"{t / 1e12:g}T tokens")
        total = int(self.f["space"].attrs["total"])
        parts = [", ".join(models), ", ".join(tokens), f"{total:,} configurations"]
        return f"sweep {name}: " + ", ".join(p for p in parts if p)

    def _axis_values(self, axis):
        return [os.path.normpath(text(v)) for v in self.f["space"][axis][()]]

    def configurations(self, rows):
        """Per row: (packaging, rack configuration) labels, as two arrays of strings."""
        base_cluster = self.spec.get("cluster")
        base_cluster = os.path.normpath(os.path.join(os.path.dirname(self.spec_path), base_cluster)) if isinstance(base_cluster, str) else None
        keys = [a for a in ("cluster", "rack", "chip") if a in self.axes]
        if keys:
            combos = np.stack([rows[a].astype(np.int64) for a in keys], axis=1)
            uniq, inverse = np.unique(combos, axis=0, return_inverse=True)
        else:
            uniq, inverse = np.zeros((1, 0), dtype=np.int64), np.zeros(len(rows), dtype=np.int64)
        values = {a: self._axis_values(a) for a in keys}
        labels = []
        for combo in uniq:
            chosen = {a: values[a][int(i)] for a, i in zip(keys, combo)}
            cluster = chosen.get("cluster", base_cluster)
            rack = chosen.get("rack") or (self._follow(cluster, "rack") if cluster else None)
            chip = chosen.get("chip") or (self._follow(rack, "chip") if rack else None)
            packaging = self._follow(chip, "packaging") if chip else None
            pack_name = self._name(packaging, None) if packaging else f"{self._name(chip, 'chip')} (no packaging sheet)"
            labels.append((pack_name, self._name(rack, self._name(cluster, "rack"))))
        inverse = np.asarray(inverse).reshape(-1)
        pack = np.array([labels[i][0] for i in range(len(labels))], dtype=object)[inverse]
        rack = np.array([labels[i][1] for i in range(len(labels))], dtype=object)[inverse]
        return pack, rack

    def decoded(self, rows, axis, i):
        """An axis column's value for display: strings from /space, numbers as they are."""
        v = rows[axis][i]
        if axis in self.axes and self.f["space"][axis].dtype.kind in "SO":
            return os.path.splitext(os.path.basename(text(self.f["space"][axis][int(v)])))[0]
        return v.item() if hasattr(v, "item") else v
