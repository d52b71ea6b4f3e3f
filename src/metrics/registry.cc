#include "metrics/registry.h"

#include <stdexcept>

#include "metrics/text_format.h"

namespace sb::metrics {

namespace {
enum Kind { kCounter, kGauge, kHistogram, kCallbackGauge };
const char* type_name(int kind) {
  switch (kind) {
    case kCounter: return "counter";
    case kHistogram: return "histogram";
    default: return "gauge";
  }
}
}  // namespace

struct Registry::Entry {
  std::string name;
  std::string help;
  int kind;
  std::vector<std::string> label_names;
  std::vector<double> bounds;  // histograms only
  std::variant<std::monostate, std::unique_ptr<Family<Counter>>, std::unique_ptr<Family<Gauge>>,
               std::unique_ptr<Family<Histogram>>, SampleFn>
      metric;
};

Registry::Registry() = default;
Registry::~Registry() = default;

Registry::Entry& Registry::find_or_add(const std::string& name, const std::string& help, int kind,
                                       const std::vector<std::string>& label_names,
                                       const std::vector<double>* bounds) {
  if (!valid_metric_name(name)) throw std::invalid_argument("invalid metric name '" + name + "'");
  for (const auto& l : label_names) {
    if (!valid_label_name(l) || (kind == kHistogram && l == "le"))
      throw std::invalid_argument("invalid label name '" + l + "' for metric " + name);
  }
  std::lock_guard lock(mu_);
  if (auto it = by_name_.find(name); it != by_name_.end()) {
    Entry& e = *it->second;
    if (kind == kCallbackGauge || e.kind != kind || e.label_names != label_names ||
        (bounds && e.bounds != *bounds))
      throw std::invalid_argument("metric " + name + " is already registered with another shape");
    return e;
  }
  auto e = std::make_unique<Entry>();
  e->name = name;
  e->help = help;
  e->kind = kind;
  e->label_names = label_names;
  if (bounds) e->bounds = *bounds;
  switch (kind) {
    case kCounter:
      e->metric = std::make_unique<Family<Counter>>(label_names, [] { return std::make_unique<Counter>(); });
      break;
    case kGauge:
      e->metric = std::make_unique<Family<Gauge>>(label_names, [] { return std::make_unique<Gauge>(); });
      break;
    case kHistogram: {
      Histogram probe(e->bounds);  // validates the bounds now rather than on first use
      e->metric = std::make_unique<Family<Histogram>>(
          label_names, [b = e->bounds] { return std::make_unique<Histogram>(b); });
      break;
    }
    default:
      break;  // the callback is filled in by the caller under no lock; see callback_gauge
  }
  Entry& ref = *e;
  by_name_[name] = &ref;
  entries_.push_back(std::move(e));
  return ref;
}

Counter& Registry::counter(const std::string& name, const std::string& help) {
  return counter_family(name, help, {}).with({});
}
Family<Counter>& Registry::counter_family(const std::string& name, const std::string& help,
                                          std::vector<std::string> label_names) {
  return *std::get<std::unique_ptr<Family<Counter>>>(find_or_add(name, help, kCounter, label_names, nullptr).metric);
}
Gauge& Registry::gauge(const std::string& name, const std::string& help) {
  return gauge_family(name, help, {}).with({});
}
Family<Gauge>& Registry::gauge_family(const std::string& name, const std::string& help,
                                      std::vector<std::string> label_names) {
  return *std::get<std::unique_ptr<Family<Gauge>>>(find_or_add(name, help, kGauge, label_names, nullptr).metric);
}
Histogram& Registry::histogram(const std::string& name, const std::string& help, std::vector<double> bounds) {
  return histogram_family(name, help, {}, std::move(bounds)).with({});
}
Family<Histogram>& Registry::histogram_family(const std::string& name, const std::string& help,
                                              std::vector<std::string> label_names,
                                              std::vector<double> bounds) {
  return *std::get<std::unique_ptr<Family<Histogram>>>(
      find_or_add(name, help, kHistogram, label_names, &bounds).metric);
}

void Registry::callback_gauge(const std::string& name, const std::string& help,
                              std::vector<std::string> label_names, SampleFn fn) {
  // find_or_add throws on a second registration, so the new entry is ours; the
  // callback is set under the lock so render() never sees it half-built.
  Entry& e = find_or_add(name, help, kCallbackGauge, label_names, nullptr);
  std::lock_guard lock(mu_);
  e.metric = std::move(fn);
}

namespace {

void render_header(std::string& out, const std::string& name, const std::string& help, int kind) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += escape_help(help);
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type_name(kind);
  out += '\n';
}

void render_line(std::string& out, const std::string& name, std::string_view suffix, const std::string& labels,
                 double value) {
  out += name;
  out += suffix;
  out += labels;
  out += ' ';
  out += format_value(value);
  out += '\n';
}

template <class T>
void render_simple(std::string& out, const std::string& name, const Family<T>& family) {
  for (const auto& [values, m] : family.children())
    render_line(out, name, "", format_labels(family.label_names(), values), m->value());
}

void render_histograms(std::string& out, const std::string& name, const Family<Histogram>& family) {
  const auto& names = family.label_names();
  for (const auto& [values, h] : family.children()) {
    const Histogram::Snapshot s = h->snapshot();
    for (std::size_t i = 0; i < s.cumulative.size(); ++i) {
      const std::string le = i < s.bounds.size() ? format_value(s.bounds[i]) : "+Inf";
      render_line(out, name, "_bucket", format_labels(names, values, "le", le),
                  static_cast<double>(s.cumulative[i]));
    }
    const std::string labels = format_labels(names, values);
    render_line(out, name, "_sum", labels, s.sum);
    render_line(out, name, "_count", labels, static_cast<double>(s.count));
  }
}

}  // namespace

std::string Registry::render() const {
  struct Item {
    const Entry* entry;
    SampleFn fn;  // copied so the callback runs without mu_
  };
  std::vector<Item> items;
  {
    std::lock_guard lock(mu_);
    items.reserve(entries_.size());
    for (const auto& e : entries_) {
      Item item{e.get(), {}};
      if (const auto* fn = std::get_if<SampleFn>(&e->metric)) item.fn = *fn;
      items.push_back(std::move(item));
    }
  }
  std::string out;
  for (const Item& item : items) {
    const Entry& e = *item.entry;
    render_header(out, e.name, e.help, e.kind);
    switch (e.kind) {
      case kCounter: render_simple(out, e.name, *std::get<std::unique_ptr<Family<Counter>>>(e.metric)); break;
      case kGauge: render_simple(out, e.name, *std::get<std::unique_ptr<Family<Gauge>>>(e.metric)); break;
      case kHistogram: render_histograms(out, e.name, *std::get<std::unique_ptr<Family<Histogram>>>(e.metric)); break;
      case kCallbackGauge: {
        if (!item.fn) break;
        std::vector<Sample> samples;
        try {
          samples = item.fn();
        } catch (...) {
          break;
        }
        for (const Sample& s : samples) {
          if (s.labels.size() != e.label_names.size()) continue;
          render_line(out, e.name, "", format_labels(e.label_names, s.labels), s.value);
        }
        break;
      }
    }
  }
  return out;
}

}  // namespace sb::metrics
