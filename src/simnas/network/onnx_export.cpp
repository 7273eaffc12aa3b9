#include "simnas/network/onnx_export.h"

#include <algorithm>

#include <fmt/format.h>
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include "simnas/core/error.h"

namespace simnas {
namespace {

class GraphBuilder {
 public:
  GraphBuilder(onnx::GraphProto* graph, int batch) : graph_(graph), batch_(batch) {}

  std::string Initializer(const std::string& name, const std::vector<std::int64_t>& dims,
                          const std::vector<float>& values) {
    onnx::TensorProto* t = graph_->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (std::int64_t d : dims) t->add_dims(d);
    t->set_raw_data(std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float)));
    return name;
  }

  std::string Int64Initializer(const std::string& name, const std::vector<std::int64_t>& values) {
    onnx::TensorProto* t = graph_->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_dims(static_cast<std::int64_t>(values.size()));
    for (std::int64_t v : values) t->add_int64_data(v);
    return name;
  }

  onnx::NodeProto* Node(const std::string& op, const std::string& name, const std::vector<std::string>& inputs,
                        const std::string& output) {
    onnx::NodeProto* n = graph_->add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (const std::string& i : inputs) n->add_input(i);
    n->add_output(output);
    return n;
  }

  static void Ints(onnx::NodeProto* n, const std::string& name, const std::vector<std::int64_t>& values) {
    onnx::AttributeProto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (std::int64_t v : values) a->add_ints(v);
  }
  static void Int(onnx::NodeProto* n, const std::string& name, std::int64_t value) {
    onnx::AttributeProto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(value);
  }
  static void Float(onnx::NodeProto* n, const std::string& name, float value) {
    onnx::AttributeProto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(value);
  }

  static void SetTensorType(onnx::ValueInfoProto* v, const std::string& name, const std::vector<std::int64_t>& dims) {
    v->set_name(name);
    onnx::TypeProto_Tensor* t = v->mutable_type()->mutable_tensor_type();
    t->set_elem_type(onnx::TensorProto::FLOAT);
    onnx::TensorShapeProto* shape = t->mutable_shape();
    for (std::int64_t d : dims) shape->add_dim()->set_dim_value(d);
  }

  int batch() const { return batch_; }

 private:
  onnx::GraphProto* graph_;
  int batch_;
};

std::vector<std::int64_t> Dims4(int batch, const LayerShape& s) { return {batch, s.channels, s.height, s.width}; }

// k*k / (number of window positions inside the input), per output position.
std::vector<float> WindowCorrection(const Layer& pool, const LayerShape& in) {
  std::vector<float> map;
  map.reserve(static_cast<std::size_t>(pool.shape.height) * pool.shape.width);
  const auto inside = [&](int o, int size) {
    const int start = o * pool.stride - pool.padding;
    return std::min(start + pool.kernel, size) - std::max(start, 0);
  };
  for (int y = 0; y < pool.shape.height; ++y) {
    for (int x = 0; x < pool.shape.width; ++x) {
      const int count = inside(y, in.height) * inside(x, in.width);
      map.push_back(static_cast<float>(pool.kernel * pool.kernel) / static_cast<float>(count));
    }
  }
  return map;
}

}  // namespace

std::string SerializeOnnx(const NetworkDescription& network, int batch, OnnxModelInfo* info,
                          const std::string& graph_name) {
  if (batch < 1) throw Error(fmt::format("ONNX export: batch {} must be >= 1", batch));
  onnx::ModelProto model;
  model.set_ir_version(onnx::IR_VERSION);
  model.set_producer_name("simnas");
  model.set_producer_version(SIMNAS_VERSION);
  onnx::OperatorSetIdProto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(kOnnxOpset);
  onnx::GraphProto* graph = model.mutable_graph();
  graph->set_name(graph_name);
  GraphBuilder g(graph, batch);

  const std::vector<Layer>& layers = network.layers();
  std::vector<std::string> out(layers.size());  // tensor name of each layer's output
  std::vector<bool> flat(layers.size(), false);  // output is [B, C] rather than [B, C, H, W]
  out[0] = "input";
  GraphBuilder::SetTensorType(graph->add_input(), out[0], Dims4(batch, layers[0].shape));
  int nodes = 0;
  for (std::size_t i = 1; i < layers.size(); ++i) {
    const Layer& l = layers[i];
    const auto in = [&](std::size_t k) { return out[static_cast<std::size_t>(l.inputs[k])]; };
    const LayerShape& in_shape = layers[static_cast<std::size_t>(l.inputs[0])].shape;
    for (int from : l.inputs) {
      const bool reads_flat = l.kind == LayerKind::kAdd || l.kind == LayerKind::kRelu ||
                              l.kind == LayerKind::kHardSigmoid || l.kind == LayerKind::kHardSwish;
      if (flat[static_cast<std::size_t>(from)] && !reads_flat) {
        throw Error(fmt::format("ONNX export: layer {} reads the output of a linear layer", l.name));
      }
    }
    out[i] = l.name;
    const std::string& y = out[i];
    switch (l.kind) {
      case LayerKind::kInput: throw Error(fmt::format("ONNX export: a second input layer {}", l.name));
      case LayerKind::kConv: {
        std::vector<std::string> inputs = {
            in(0), g.Initializer(l.name + ".weight",
                                 {l.shape.channels, in_shape.channels / l.groups, l.kernel, l.kernel}, l.weight)};
        if (!l.bias.empty()) inputs.push_back(g.Initializer(l.name + ".bias", {l.shape.channels}, l.bias));
        onnx::NodeProto* n = g.Node("Conv", l.name, inputs, y);
        GraphBuilder::Ints(n, "kernel_shape", {l.kernel, l.kernel});
        GraphBuilder::Ints(n, "strides", {l.stride, l.stride});
        GraphBuilder::Ints(n, "pads", {l.padding, l.padding, l.padding, l.padding});
        GraphBuilder::Ints(n, "dilations", {1, 1});
        GraphBuilder::Int(n, "group", l.groups);
        ++nodes;
        break;
      }
      case LayerKind::kBatchNorm: {
        const std::int64_t c = l.shape.channels;
        onnx::NodeProto* n = g.Node("BatchNormalization", l.name,
                                    {in(0), g.Initializer(l.name + ".scale", {c}, l.scale),
                                     g.Initializer(l.name + ".bias", {c}, l.bias),
                                     g.Initializer(l.name + ".mean", {c}, l.mean),
                                     g.Initializer(l.name + ".var", {c}, l.var)},
                                    y);
        GraphBuilder::Float(n, "epsilon", static_cast<float>(l.eps));
        ++nodes;
        break;
      }
      case LayerKind::kRelu:
        g.Node("Relu", l.name, {in(0)}, y);
        ++nodes;
        break;
      case LayerKind::kAdd: {
        // Binary adds, left to right (the order LibTorch sums in).
        std::string acc = in(0);
        for (std::size_t k = 1; k < l.inputs.size(); ++k) {
          const std::string name = k + 1 == l.inputs.size() ? y : fmt::format("{}/partial{}", l.name, k);
          g.Node("Add", k + 1 == l.inputs.size() ? l.name : name, {acc, in(k)}, name);
          acc = name;
          ++nodes;
        }
        flat[i] = flat[static_cast<std::size_t>(l.inputs[0])];
        break;
      }
      case LayerKind::kAvgPool: {
        // Runtimes disagree on AveragePool's padding (OpenCV 4.6 ignores count_include_pad and
        // decides by the producer's name), so the padding is an explicit zero Pad and the pool
        // has none; not counting padding is then a multiplication by a constant map.
        std::string x = in(0);
        if (l.padding > 0) {
          const std::int64_t p = l.padding;
          const std::string padded = l.name + "/pad";
          onnx::NodeProto* pad =
              g.Node("Pad", padded, {x, g.Int64Initializer(l.name + ".pads", {0, 0, p, p, 0, 0, p, p})}, padded);
          onnx::AttributeProto* mode = pad->add_attribute();
          mode->set_name("mode");
          mode->set_type(onnx::AttributeProto::STRING);
          mode->set_s("constant");
          x = padded;
          ++nodes;
        }
        const bool correct = !l.count_include_pad && l.padding > 0;
        const std::string pooled = correct ? l.name + "/include_pad" : y;
        onnx::NodeProto* n = g.Node("AveragePool", correct ? pooled : l.name, {x}, pooled);
        GraphBuilder::Ints(n, "kernel_shape", {l.kernel, l.kernel});
        GraphBuilder::Ints(n, "strides", {l.stride, l.stride});
        ++nodes;
        if (correct) {
          // Full [1, C, H, W] map: OpenCV 4.6 cannot broadcast a [1, 1, H, W] constant.
          const std::vector<float> window = WindowCorrection(l, in_shape);
          std::vector<float> map;
          map.reserve(window.size() * static_cast<std::size_t>(l.shape.channels));
          for (int c = 0; c < l.shape.channels; ++c) map.insert(map.end(), window.begin(), window.end());
          g.Node("Mul", l.name,
                 {pooled, g.Initializer(l.name + ".window_correction", {1, l.shape.channels, l.shape.height, l.shape.width},
                                        map)},
                 y);
          ++nodes;
        }
        break;
      }
      case LayerKind::kZero:
        g.Node("Mul", l.name, {in(0), g.Initializer(l.name + ".zero", {1}, {0.0f})}, y);
        ++nodes;
        break;
      case LayerKind::kChannelShuffle: {
        const std::int64_t c = l.shape.channels, h = l.shape.height, w = l.shape.width;
        const std::string grouped = l.name + "/grouped", swapped = l.name + "/transposed";
        g.Node("Reshape", grouped, {in(0), g.Int64Initializer(l.name + ".grouped_shape", {batch, l.groups, c / l.groups, h, w})},
               grouped);
        onnx::NodeProto* t = g.Node("Transpose", swapped, {grouped}, swapped);
        GraphBuilder::Ints(t, "perm", {0, 2, 1, 3, 4});
        g.Node("Reshape", l.name, {swapped, g.Int64Initializer(l.name + ".shape", {batch, c, h, w})}, y);
        nodes += 3;
        break;
      }
      case LayerKind::kGlobalAvgPool:
        g.Node("GlobalAveragePool", l.name, {in(0)}, y);
        ++nodes;
        break;
      case LayerKind::kLinear: {
        const std::string flattened = l.name + "/flatten";
        onnx::NodeProto* f = g.Node("Flatten", flattened, {in(0)}, flattened);
        GraphBuilder::Int(f, "axis", 1);
        onnx::NodeProto* n =
            g.Node("Gemm", l.name,
                   {flattened, g.Initializer(l.name + ".weight", {l.shape.channels, in_shape.channels}, l.weight),
                    g.Initializer(l.name + ".bias", {l.shape.channels}, l.bias)},
                   y);
        GraphBuilder::Int(n, "transB", 1);
        flat[i] = true;
        nodes += 2;
        break;
      }
      case LayerKind::kHardSigmoid:
      case LayerKind::kHardSwish: {
        // relu6(x + 3) / 6 = clamp(x / 6 + 1/2, 0, 1).
        const bool swish = l.kind == LayerKind::kHardSwish;
        const std::string gate = swish ? l.name + "/hard_sigmoid" : y;
        onnx::NodeProto* n = g.Node("HardSigmoid", gate, {in(0)}, gate);
        GraphBuilder::Float(n, "alpha", 1.0f / 6.0f);
        GraphBuilder::Float(n, "beta", 0.5f);
        ++nodes;
        if (swish) {
          g.Node("Mul", l.name, {in(0), gate}, y);
          ++nodes;
        }
        flat[i] = flat[static_cast<std::size_t>(l.inputs[0])];
        break;
      }
      case LayerKind::kChannelMul:
        // The gate first: OpenCV DNN 4.6 picks the operand to broadcast by the shapes it tracks,
        // which are wrong after a HardSigmoid, and with the features first it broadcasts the
        // features onto the gate's C x 1 x 1 shape.
        g.Node("Mul", l.name, {in(1), in(0)}, y);
        ++nodes;
        break;
    }
  }
  const Layer& last = layers.back();
  const std::vector<std::int64_t> out_dims =
      flat.back() ? std::vector<std::int64_t>{batch, last.shape.channels} : Dims4(batch, last.shape);
  GraphBuilder::SetTensorType(graph->add_output(), out.back(), out_dims);

  try {
    onnx::checker::check_model(model);
    onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(),
                                       onnx::ShapeInferenceOptions(/*check_type=*/true, /*strict_mode=*/1));
  } catch (const std::exception& e) {
    std::string what = e.what();
    if (const auto nl = what.find('\n'); nl != std::string::npos) what.resize(nl);
    throw Error(fmt::format("ONNX export of {}: the ONNX checker refused the graph: {}", graph_name, what));
  }
  std::string bytes;
  if (!model.SerializeToString(&bytes)) throw Error(fmt::format("ONNX export of {}: serialization failed", graph_name));
  if (info != nullptr) {
    info->opset = kOnnxOpset;
    info->input_name = out[0];
    info->input_shape = Dims4(batch, layers[0].shape);
    info->output_name = out.back();
    info->output_shape = out_dims;
    info->parameters = network.ParameterCount();
    info->multiply_adds = network.MultiplyAdds() * batch;
    info->nodes = nodes;
    info->bytes = static_cast<std::int64_t>(bytes.size());
  }
  return bytes;
}

}  // namespace simnas
