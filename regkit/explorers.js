/* The course's explorers: interactive figures drawn as plain SVG, no library, no network.
   regkit/explorers.py inlines this file into each explorer's output (the site, the decks and
   JupyterLab run it the same way); the data comes from regkit, computed when the notebook ran.
   What the page computes itself (a schedule at a slider's value, a clipped vector) mirrors
   regkit's formulas; tests/test_explorers.py compares the two at thousands of random points. */
(function () {
  "use strict";
  if (window.courseExplorers) { window.courseExplorers.mountAll(); return; }
  const E = window.courseExplorers = {};
  const SVG = "http://www.w3.org/2000/svg";

  // --- regkit.schedules, step by step (t a whole number >= 0) ------------------------------
  const halfCosine = (elapsed, length) => (1 + Math.cos(Math.PI * elapsed / length)) / 2;
  const clip01 = (x) => Math.min(Math.max(x, 0), 1);
  const DECAY_SHAPES = { "linear": (p) => 1 - p, "cosine": (p) => (1 + Math.cos(Math.PI * p)) / 2,
                         "1-sqrt": (p) => 1 - Math.sqrt(p) };
  function wsd(t, o) {
    const T = o.total_steps, Td = o.decay_steps, Tw = o.warmup_steps, min = o.min_lr || 0;
    if (t < Tw) return o.base_lr * t / Math.max(Tw, 1);
    const p = clip01((t - (T - Td)) / Td);
    return min + (o.base_lr - min) * DECAY_SHAPES[o.decay || "linear"](p);
  }
  E.schedules = {
    constant: (t, o) => o.base_lr,
    step_decay: (t, o) => o.base_lr * Math.pow(o.gamma, Math.floor(t / o.step_size)),
    multistep_decay: (t, o) => o.base_lr * Math.pow(o.gamma, o.milestones.filter((m) => m <= t).length),
    exponential_decay: (t, o) => o.base_lr * Math.pow(o.gamma, t),
    linear_warmup: (t, o) => o.warmup_steps === 0 ? o.base_lr : o.base_lr *
      ((o.start_factor || 0) + (1 - (o.start_factor || 0)) * Math.min(t, o.warmup_steps) / o.warmup_steps),
    inverse_sqrt_warmup: (t, o) => {
      const n = t + 1, scale = o.scale === undefined ? 1 : o.scale, decay = Math.pow(n, -0.5);
      const factor = o.warmup_steps === 0 ? decay : Math.min(decay, n * Math.pow(o.warmup_steps, -1.5));
      return scale * Math.pow(o.d_model, -0.5) * factor;
    },
    cyclic: (t, o) => {
      const up = o.step_size_up, down = o.step_size_down || o.step_size_up, L = up + down;
      const cycle = 1 + Math.floor(t / L), p = t % L;
      const x = p <= up ? p / up : (L - p) / down;
      const mode = o.mode || "triangular";
      const s = mode === "triangular" ? 1 : mode === "triangular2" ? Math.pow(0.5, cycle - 1)
        : Math.pow(o.gamma, t);
      return o.base_lr + (o.max_lr - o.base_lr) * x * s;
    },
    cosine_annealing: (t, o) => (o.min_lr || 0) + (o.base_lr - (o.min_lr || 0)) *
      halfCosine(Math.min(t, o.total_steps), o.total_steps),
    cosine_with_restarts: (t, o) => {
      const m = o.cycle_mult || 1, min = o.min_lr || 0;
      let start = 0, length = o.cycle_steps;
      if (m === 1) { start = t - (t % length); }
      else { while (start + length <= t) { start += length; length *= m; } }
      return min + (o.base_lr - min) * halfCosine(t - start, length);
    },
    warmup_cosine: (t, o) => {
      const Tw = o.warmup_steps, T = o.total_steps, min = o.min_lr || 0;
      if (t < Tw) return o.base_lr * t / Math.max(Tw, 1);
      const elapsed = Math.min(Math.max(t - Tw, 0), T - Tw);
      return min + (o.base_lr - min) * halfCosine(elapsed, T - Tw);
    },
    warmup_linear: (t, o) => wsd(t, Object.assign({}, o, { decay_steps: o.total_steps - o.warmup_steps,
                                                           decay: "linear" })),
    warmup_stable_decay: wsd,
  };

  // --- regkit.clipping on a plain vector ----------------------------------------------------
  const norm = (v) => Math.hypot(...v);
  E.clip = {
    byNorm: (g, eta) => { const n = norm(g); return n > eta ? g.map((x) => eta * x / n) : g.slice(); },
    byValue: (g, c) => g.map((x) => Math.min(Math.max(x, -c), c)),
    angle: (u, v) => {
      const dot = u.reduce((s, x, i) => s + x * v[i], 0);
      return Math.acos(Math.min(Math.max(dot / (norm(u) * norm(v)), -1), 1)) * 180 / Math.PI;
    },
  };

  // --- drawing -------------------------------------------------------------------------------
  function el(tag, attrs, parent, ns) {
    const node = ns === false ? document.createElement(tag) : document.createElementNS(SVG, tag);
    setAttributes(node, attrs);
    if (parent) parent.appendChild(node);
    return node;
  }
  function setAttributes(node, attrs) {
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    return node;
  }
  // text is laid out again whenever it is set, even to what it was
  function setText(node, text) { if (node.textContent !== text) node.textContent = text; }
  const html = (tag, attrs, parent) => el(tag, attrs, parent, false);
  function niceTicks(lo, hi, count) {
    const span = hi - lo || Math.abs(hi) || 1, raw = span / count;
    const mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => s >= raw);
    const ticks = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(+v.toPrecision(12));
    return ticks;
  }
  // the next of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 (times a power of ten) above v: a slider's
  // small moves keep the same axis, so only the curve is drawn again
  function niceTop(v) {
    if (!(v > 0)) return 1;
    const mag = Math.pow(10, Math.floor(Math.log10(v * 1.05)));
    return [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].map((f) => f * mag).find((t) => t >= v * 1.05);
  }
  const fmt = (v) => Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(1) : +v.toPrecision(4) + "";

  /* A frame with axes: returns {g, x(v), y(v)} for drawing in data coordinates. Its elements are
     made once, and again if the svg was emptied (a runs explorer's combination not trained); a
     change of range moves the ticks and rewrites the labels that changed (building the axes
     anew was up to half of a redraw). What the caller draws goes into a fresh g. */
  function frame(svg, xr, yr, labels) {
    const W = 640, H = 360, m = { l: 64, r: 16, t: 14, b: 44 };
    const x = (v) => m.l + (v - xr[0]) / (xr[1] - xr[0]) * (W - m.l - m.r);
    const y = (v) => H - m.b - (v - yr[0]) / (yr[1] - yr[0]) * (H - m.t - m.b);
    if (!svg._data || svg._data.parentNode !== svg) {
      svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
      svg.replaceChildren();
      svg._ranges = null;
      svg._back = el("g", { class: "back" }, svg);  // stays while the ranges do (the cliff's surface)
      const axes = el("g", { class: "axes" }, svg);
      svg._ticks = [el("g", {}, axes), el("g", {}, axes)];
      el("rect", { x: m.l, y: m.t, width: W - m.l - m.r, height: H - m.t - m.b, class: "box" }, axes);
      svg._labels = [el("text", { x: (m.l + W - m.r) / 2, y: H - 6, "text-anchor": "middle", class: "label" }, axes),
                     el("text", { x: 14, y: (m.t + H - m.b) / 2, "text-anchor": "middle", class: "label",
                                  transform: `rotate(-90 14 ${(m.t + H - m.b) / 2})` }, axes)];
      svg._data = el("g", {}, svg);
    }
    labels.forEach((text, i) => setText(svg._labels[i], text));
    const ranges = JSON.stringify([xr, yr]), fresh = svg._ranges !== ranges;
    if (fresh) {
      svg._ranges = ranges;
      svg._back.replaceChildren();
      ticks(svg._ticks[0], niceTicks(xr[0], xr[1], 6), (v) => ({ x1: x(v), x2: x(v), y1: m.t, y2: H - m.b }),
            (v) => ({ x: x(v), y: H - m.b + 18, "text-anchor": "middle" }));
      ticks(svg._ticks[1], niceTicks(yr[0], yr[1], 5), (v) => ({ x1: m.l, x2: W - m.r, y1: y(v), y2: y(v) }),
            (v) => ({ x: m.l - 6, y: y(v) + 4, "text-anchor": "end" }));
    }
    svg._data.replaceChildren();
    return { g: svg._data, x, y, W, H, m, back: svg._back, fresh };
  }
  // an axis's grid lines and tick labels: pairs of elements, kept from one range to the next
  function ticks(group, values, lineAt, labelAt) {
    while (group.childElementCount > 2 * values.length) group.lastChild.remove();
    values.forEach((v, i) => {
      setAttributes(group.children[2 * i] || el("line", { class: "grid" }, group), lineAt(v));
      setText(setAttributes(group.children[2 * i + 1] || el("text", {}, group), labelAt(v)), fmt(v));
    });
  }
  const polyline = (f, xs, ys, cls, parent) => el("polyline", {
    points: xs.map((v, i) => `${f.x(v).toFixed(2)},${f.y(ys[i]).toFixed(2)}`).join(" "), class: cls }, parent || f.g);

  function slider(form, id, label, min, max, step, value, onInput, format, row) {
    if (!row) {
      row = html("div", { class: "setting" }, form);
      const lab = html("label", { for: id }, row); lab.textContent = label;
    }
    const input = html("input", { type: "range", id, min, max, step, value }, row);
    const out = html("output", { for: id, "aria-live": "polite" }, row);
    const show = () => { out.textContent = (format || fmt)(+input.value); };
    input.addEventListener("input", () => { show(); onInput(+input.value); });
    show();
    return input;
  }

  // --- the explorers -----------------------------------------------------------------------
  E.kinds = {};

  /* Chapter 1: one gradient, clipped by its norm and by value. Drag the arrow's head. */
  E.kinds.clipping = function (root, d) {
    const w = d.words, live = root.querySelector(".live");
    // a group, not an image: it holds the draggable head, which the keyboard reaches too
    const svg = el("svg", { role: "group", "aria-label": w.figure, class: "plane" }, live);
    const form = html("div", { class: "controls" }, live);
    const readout = html("p", { class: "readout", "aria-live": "polite" }, live);
    let g = d.g.slice(), eta = d.eta, c = d.eta;
    const R = d.range;
    // The axes never change: every element is made once, and a change moves them
    const f = frame(svg, [-R, R], [-R * 0.5625, R * 0.5625], [w.x, w.y]);
    const ball = el("ellipse", { cx: f.x(0), cy: f.y(0), class: "ball" }, f.g);
    const square = el("rect", { class: "square" }, f.g);
    const arrows = ["s0", "s1", "s2"].map((cls) => el("line", { x1: f.x(0), y1: f.y(0), class: "arrow " + cls }, f.g));
    const head = el("circle", { r: 9, class: "handle", tabindex: 0, role: "slider", "aria-label": w.drag,
                                "aria-valuemin": 0, "aria-valuemax": fmt(R * Math.SQRT2) }, f.g);
    head.addEventListener("keydown", (ev) => {
      const k = { ArrowLeft: [-0.25, 0], ArrowRight: [0.25, 0], ArrowUp: [0, 0.25], ArrowDown: [0, -0.25] }[ev.key];
      if (k) { ev.preventDefault(); g = [g[0] + k[0], g[1] + k[1]]; draw(); }
    });
    const legend = el("g", {}, f.g);
    [[w.gradient, "s0"], [w.byNorm, "s1"], [w.byValue, "s2"]].forEach(([text, cls], i) => {
      el("line", { x1: f.m.l + 12, x2: f.m.l + 36, y1: f.m.t + 16 + 20 * i, y2: f.m.t + 16 + 20 * i, class: "arrow " + cls }, legend);
      el("text", { x: f.m.l + 42, y: f.m.t + 20 + 20 * i }, legend).textContent = text;
    });
    function draw() {
      const byNorm = E.clip.byNorm(g, eta), byValue = E.clip.byValue(g, c);
      setAttributes(ball, { rx: f.x(eta) - f.x(0), ry: f.y(0) - f.y(eta) });
      setAttributes(square, { x: f.x(-c), y: f.y(c), width: f.x(c) - f.x(-c), height: f.y(-c) - f.y(c) });
      [g, byNorm, byValue].forEach((v, i) => setAttributes(arrows[i], { x2: f.x(v[0]), y2: f.y(v[1]) }));
      setAttributes(head, { cx: f.x(g[0]), cy: f.y(g[1]), "aria-valuenow": fmt(norm(g)),
                            "aria-valuetext": `g = (${fmt(g[0])}, ${fmt(g[1])})` });
      setText(readout, `‖g‖ = ${fmt(norm(g))} · ${w.byNorm}: ‖·‖ = ${fmt(norm(byNorm))}, ${w.angle} ` +
        `${E.clip.angle(g, byNorm).toFixed(1)}° · ${w.byValue}: ‖·‖ = ${fmt(norm(byValue))}, ${w.angle} ` +
        `${E.clip.angle(g, byValue).toFixed(1)}°`);
    }
    function toData(ev) {
      const pt = svg.createSVGPoint(); pt.x = ev.clientX; pt.y = ev.clientY;
      const p = pt.matrixTransform(svg.getScreenCTM().inverse());
      const xr = [-R, R], yr = [-R * 0.5625, R * 0.5625];
      return [xr[0] + (p.x - f.m.l) / (f.W - f.m.l - f.m.r) * (xr[1] - xr[0]),
              yr[0] + (f.H - f.m.b - p.y) / (f.H - f.m.t - f.m.b) * (yr[1] - yr[0])];
    }
    let dragging = false;
    svg.addEventListener("pointerdown", (ev) => { dragging = true; svg.setPointerCapture(ev.pointerId); g = toData(ev); draw(); });
    svg.addEventListener("pointermove", (ev) => { if (dragging) { g = toData(ev); draw(); } });
    svg.addEventListener("pointerup", () => { dragging = false; });
    slider(form, root.id + "-eta", w.eta, 0.5, R, 0.25, eta, (v) => { eta = v; draw(); });
    slider(form, root.id + "-c", w.c, 0.5, R, 0.25, c, (v) => { c = v; draw(); });
    draw();
  };

  /* Chapter 1: the cliff. A threshold slider over paths regkit computed. */
  E.kinds.cliff = function (root, d) {
    const w = d.words, live = root.querySelector(".live");
    const svg = el("svg", { role: "img", "aria-label": w.figure, class: "surface" }, live);
    const form = html("div", { class: "controls" }, live);
    const readout = html("p", { class: "readout", "aria-live": "polite" }, live);
    function draw(i) {
      const f = frame(svg, d.w_range, d.b_range, [w.x, w.y]);
      if (f.fresh) el("image", { href: d.surface, x: f.x(d.w_range[0]), y: f.y(d.b_range[1]), width: f.x(d.w_range[1]) - f.x(d.w_range[0]),
                                 height: f.y(d.b_range[0]) - f.y(d.b_range[1]), preserveAspectRatio: "none" }, f.back);
      const path = d.paths[i];
      polyline(f, path.map((p) => p[0]), path.map((p) => p[1]), "path", f.g);
      el("circle", { cx: f.x(path[0][0]), cy: f.y(path[0][1]), r: 5, class: "start" }, f.g);
      el("circle", { cx: f.x(path[path.length - 1][0]), cy: f.y(path[path.length - 1][1]), r: 5, class: "end" }, f.g);
      readout.textContent = `η = ${fmt(d.etas[i])} · ${w.final} ${d.final_loss[i].toFixed(4)} · ${w.longest} ${d.longest_step[i].toFixed(2)}`;
    }
    const input = slider(form, root.id + "-eta", w.eta, 0, d.etas.length - 1, 1, d.start_index,
                         (i) => draw(i), (i) => fmt(d.etas[i]));
    draw(+input.value);
  };

  /* Chapters 2-3: a schedule family, its parameters, and the same schedule in four libraries. */
  const num = (v) => +(+v).toPrecision(10) + "";
  const PT = "torch.optim.lr_scheduler.", KS = "keras.optimizers.schedules.";
  function multistepValues(o) { return [0, ...o.milestones].map((_, i) => num(o.base_lr * Math.pow(o.gamma, i))); }
  // What each library calls the same schedule (torch: the optimizer created with lr = base_lr).
  // null: no built-in equivalent (the page says so rather than showing something else).
  E.code = {
    step_decay: (o) => ({
      PyTorch: `${PT}StepLR(optimizer, step_size=${o.step_size}, gamma=${num(o.gamma)})`,
      "Hugging Face": null,
      optax: `optax.exponential_decay(${num(o.base_lr)}, transition_steps=${o.step_size},\n    decay_rate=${num(o.gamma)}, staircase=True)`,
      Keras: `${KS}ExponentialDecay(${num(o.base_lr)}, decay_steps=${o.step_size},\n    decay_rate=${num(o.gamma)}, staircase=True)` }),
    multistep_decay: (o) => ({
      PyTorch: `${PT}MultiStepLR(optimizer, milestones=[${o.milestones.join(", ")}], gamma=${num(o.gamma)})`,
      "Hugging Face": null,
      optax: `optax.piecewise_constant_schedule(${num(o.base_lr)},\n    {${o.milestones.map((m) => `${m}: ${num(o.gamma)}`).join(", ")}})`,
      Keras: `# values[i] while step <= boundaries[i]: a drop at step m is boundary m - 1\n${KS}PiecewiseConstantDecay(boundaries=[${o.milestones.map((m) => m - 1).join(", ")}],\n    values=[${multistepValues(o).join(", ")}])` }),
    exponential_decay: (o) => ({
      PyTorch: `${PT}ExponentialLR(optimizer, gamma=${num(o.gamma)})`,
      "Hugging Face": null,
      optax: `optax.exponential_decay(${num(o.base_lr)}, transition_steps=1, decay_rate=${num(o.gamma)})`,
      Keras: `${KS}ExponentialDecay(${num(o.base_lr)}, decay_steps=1, decay_rate=${num(o.gamma)})` }),
    cosine_annealing: (o) => ({
      PyTorch: `# T_max is the length of the decay; after it the rate climbs back up\n${PT}CosineAnnealingLR(optimizer, T_max=${o.total_steps}, eta_min=${num(o.min_lr)})`,
      "Hugging Face": null,
      optax: `optax.cosine_decay_schedule(${num(o.base_lr)}, decay_steps=${o.total_steps},\n    alpha=${num(o.min_lr / o.base_lr)})`,
      Keras: `${KS}CosineDecay(${num(o.base_lr)}, decay_steps=${o.total_steps},\n    alpha=${num(o.min_lr / o.base_lr)})` }),
    warmup_cosine: (o) => ({
      PyTorch: `# LinearLR cannot start at exactly 0, so step 0 is not quite 0\n${PT}SequentialLR(optimizer, [\n    ${PT}LinearLR(optimizer, start_factor=1e-8, total_iters=${o.warmup_steps}),\n    ${PT}CosineAnnealingLR(optimizer, T_max=${o.total_steps - o.warmup_steps}, eta_min=${num(o.min_lr)})],\n    milestones=[${o.warmup_steps}])`,
      "Hugging Face": o.min_lr === 0
        ? `transformers.get_cosine_schedule_with_warmup(optimizer,\n    num_warmup_steps=${o.warmup_steps}, num_training_steps=${o.total_steps})`
        : `transformers.get_cosine_with_min_lr_schedule_with_warmup(optimizer,\n    num_warmup_steps=${o.warmup_steps}, num_training_steps=${o.total_steps},\n    min_lr=${num(o.min_lr)})`,
      optax: `# decay_steps counts the warmup too\noptax.warmup_cosine_decay_schedule(0.0, ${num(o.base_lr)}, warmup_steps=${o.warmup_steps},\n    decay_steps=${o.total_steps}, end_value=${num(o.min_lr)})`,
      Keras: `# decay_steps does not count the warmup\n${KS}CosineDecay(0.0, decay_steps=${o.total_steps - o.warmup_steps},\n    alpha=${num(o.min_lr / o.base_lr)}, warmup_target=${num(o.base_lr)}, warmup_steps=${o.warmup_steps})` }),
    cyclic: (o) => ({
      PyTorch: `# cycle_momentum=False, or CyclicLR turns momentum on for plain SGD\n${PT}CyclicLR(optimizer, base_lr=${num(o.base_lr)}, max_lr=${num(o.max_lr)},\n    step_size_up=${o.step_size_up}, mode=${JSON.stringify(o.mode)}${o.mode === "exp_range" ? `, gamma=${num(o.gamma)}` : ""},\n    cycle_momentum=False)`,
      "Hugging Face": null, optax: null, Keras: null }),
    cosine_with_restarts: (o) => ({
      PyTorch: `${PT}CosineAnnealingWarmRestarts(optimizer, T_0=${o.cycle_steps}, T_mult=${o.cycle_mult},\n    eta_min=${num(o.min_lr)})`,
      "Hugging Face": null, optax: null,
      Keras: `${KS}CosineDecayRestarts(${num(o.base_lr)}, first_decay_steps=${o.cycle_steps},\n    t_mul=${num(o.cycle_mult)}, m_mul=1.0, alpha=${num(o.min_lr / o.base_lr)})` }),
    inverse_sqrt_warmup: (o) => ({
      PyTorch: `# the optimizer created with lr=1.0: the lambda is the rate itself\n${PT}LambdaLR(optimizer, lambda t: ${o.d_model} ** -0.5\n    * min((t + 1) ** -0.5, (t + 1) * ${o.warmup_steps} ** -1.5))`,
      "Hugging Face": null, optax: null, Keras: null }),
    warmup_stable_decay: (o) => ({
      PyTorch: null,
      "Hugging Face": `transformers.get_wsd_schedule(optimizer, num_warmup_steps=${o.warmup_steps},\n    num_decay_steps=${o.decay_steps}, num_training_steps=${o.total_steps},\n    decay_type=${JSON.stringify(o.decay)})`,
      optax: null, Keras: null }),
    warmup_linear: (o) => ({
      PyTorch: null,
      "Hugging Face": `transformers.get_linear_schedule_with_warmup(optimizer,\n    num_warmup_steps=${o.warmup_steps}, num_training_steps=${o.total_steps})`,
      optax: `optax.join_schedules([optax.linear_schedule(0.0, ${num(o.base_lr)}, ${o.warmup_steps}),\n    optax.linear_schedule(${num(o.base_lr)}, 0.0, ${o.total_steps - o.warmup_steps})], [${o.warmup_steps}])`,
      Keras: null }),
  };

  E.kinds.schedules = function (root, d) {
    const w = d.words, live = root.querySelector(".live");
    const pick = html("div", { class: "controls" }, live);
    const row0 = html("div", { class: "setting" }, pick);
    const lab = html("label", { for: root.id + "-family" }, row0); lab.textContent = w.family;
    const select = html("select", { id: root.id + "-family" }, row0);
    for (const name of Object.keys(d.families)) {
      const option = html("option", { value: name }, select); option.textContent = d.families[name].title;
    }
    select.value = d.family;
    const svg = el("svg", { role: "img", "aria-label": w.figure, class: "curve" }, live);
    const readout = html("p", { class: "readout", "aria-live": "polite" }, live);
    const panels = html("div", { class: "panels" }, live);
    html("p", { class: "note" }, live).textContent = w.note;
    // the explorer's own (courseExplorers.params is the last mounted explorer's)
    const params = E.params = function (family, given) {
      const fam = d.families[family], o = Object.assign({ min_lr: 0 }, fam.fixed || {}, given);
      if (fam.milestones) o.milestones = fam.milestones.map((f) => Math.round(f * o.total_steps));
      if (o.decay_fraction !== undefined) o.decay_steps = Math.max(1, Math.round(o.decay_fraction * (o.total_steps - o.warmup_steps)));
      if (o.floor !== undefined) o.min_lr = o.floor * o.base_lr;
      return o;
    };
    /* A panel per family, its controls and its code: built once, while the page is idle or when
       the family is first chosen, and then kept. A switch hides one panel and shows another,
       whose layout the CSS keeps while it is hidden (building and laying out a family's controls
       and code anew took most of a frame on a phone), and a family shows the values the reader
       left it at. The panels are all in the page: their controls' ids name the family. */
    const built = {};
    function family(name) {
      if (built[name]) return built[name];
      const panel = html("div", { class: "away" }, panels), values = {}, blocks = {};
      const form = html("div", { class: "controls" }, panel), code = html("div", { class: "code" }, panel);
      for (const p of d.families[name].params) {
        const id = `${root.id}-${name}-${p.name}`;
        values[p.name] = p.value;
        if (p.choices) {
          const row = html("div", { class: "setting" }, form);
          const l = html("label", { for: id }, row); l.textContent = p.label;
          const s = html("select", { id }, row);
          for (const c of p.choices) { const op = html("option", { value: c }, s); op.textContent = c; }
          s.value = p.value;
          s.addEventListener("change", () => { values[p.name] = s.value; draw(); });
        } else {
          slider(form, id, p.label, p.min, p.max, p.step, p.value, (v) => { values[p.name] = v; draw(); });
        }
      }
      function showCode(snippets) {  // one block per library, made once
        for (const [lib, text] of Object.entries(snippets)) {
          if (!blocks[lib]) {
            const block = html("figure", {}, code);
            html("figcaption", {}, block).textContent = lib;
            blocks[lib] = html("pre", {}, block);
          }
          setText(blocks[lib], text === null ? w.none : text);
        }
      }
      showCode(E.code[d.families[name].function](params(name, values)));
      return (built[name] = { panel, values, showCode });
    }
    let current = family(select.value);
    function draw() {
      const fam = d.families[select.value], o = params(select.value, current.values), T = o.total_steps;
      const f = E.schedules[fam.function], xs = [], ys = [];
      const stride = Math.max(1, Math.ceil(T / 300));  // 300 points: a segment is at most 1/300 of the width
      for (let t = 0; t <= T; t += stride) { xs.push(t); ys.push(f(t, o)); }
      const fr = frame(svg, [0, T], [0, niceTop(Math.max(...ys))], [w.step, w.lr]);
      polyline(fr, xs, ys, "line s0");
      const half = Math.round(T / 2);
      setText(readout, `α(0) = ${fmt(f(0, o))} · α(${half}) = ${fmt(f(half, o))} · α(${T}) = ${fmt(f(T, o))}`);
      current.showCode(E.code[fam.function](o));
    }
    function show() {
      current.panel.classList.add("away");
      current = family(select.value);
      current.panel.classList.remove("away");
      draw();
    }
    select.addEventListener("change", show);
    show();
    // While the page is idle, every family's panel is built and laid out once, unseen (the CSS
    // keeps that layout), so that choosing a family the first time costs what choosing it again does
    const whenIdle = window.requestIdleCallback || ((task) => setTimeout(task, 100));
    for (const name of Object.keys(d.families)) whenIdle(() => {
      const { panel } = family(name);
      panel.classList.add("unseen");
      void panel.offsetHeight;
      panel.classList.remove("unseen");
    });
  };

  /* Chapters 5 and 6: choose among runs regkit trained when the page was built; see their
     curves, and their row of the table. A combination that was not trained says so. */
  E.kinds.runs = function (root, d) {
    const w = d.words, live = root.querySelector(".live");
    const form = html("div", { class: "controls" }, live);
    const svg = el("svg", { role: "img", "aria-label": d.title, class: "curve" }, live);
    const readout = html("p", { class: "readout", "aria-live": "polite" }, live);
    const choice = {};
    const tableData = d.table || { columns: [], rows: [], row_of: {} };
    const table = html("table", { class: "table" }, d.table ? live : null);
    const head = html("tr", {}, html("thead", {}, table));
    for (const h of tableData.columns) html(h ? "th" : "td", h ? { scope: "col" } : {}, head).textContent = h;
    const body = html("tbody", {}, table);
    const rows = tableData.rows.map((row) => {
      const tr = html("tr", {}, body);
      row.forEach((cell, i) => { html(i === 0 ? "th" : "td", i === 0 ? { scope: "row" } : {}, tr).textContent = typeof cell === "number" ? cell.toFixed(tableData.digits || 2) : cell; });
      return tr;
    });
    function draw() {
      const key = d.controls.map((c) => choice[c.name]).join("|"), curves = d.curves[key];
      rows.forEach((tr, i) => { tr.classList.toggle("selected", tableData.row_of[key] === i);
                                if (tableData.row_of[key] === i) tr.setAttribute("aria-current", "true"); else tr.removeAttribute("aria-current"); });
      if (!curves) { svg.replaceChildren(); readout.textContent = w.missing; return; }
      const xs = curves.flatMap((c) => c.x), ys = curves.flatMap((c) => c.y);
      const lo = d.y_range ? d.y_range[0] : Math.min(...ys), hi = d.y_range ? d.y_range[1] : Math.max(...ys);
      const fr = frame(svg, [Math.min(...xs), Math.max(...xs)], [lo, hi], [d.x_label, d.y_label]);
      curves.forEach((c) => polyline(fr, c.x, c.y.map((v) => Math.min(Math.max(v, lo), hi)), "line s" + (c.style || 0) + (c.thin ? " thin" : "")));
      const legend = el("g", {}, fr.g);
      curves.filter((c) => c.label).forEach((c, i) => {
        el("line", { x1: fr.W - 210, x2: fr.W - 186, y1: fr.m.t + 14 + 18 * i, y2: fr.m.t + 14 + 18 * i, class: "line s" + (c.style || 0) }, legend);
        el("text", { x: fr.W - 180, y: fr.m.t + 18 + 18 * i }, legend).textContent = c.label;
      });
      // each labelled curve's value at its point `at` (the last one if not given)
      readout.textContent = (d.readout_prefix ? d.readout_prefix[key] + " · " : "") + curves.filter((c) => c.label)
        .map((c) => `${c.label}: ${fmt(c.y[c.at === undefined ? c.y.length - 1 : c.at])}`).join(" · ");
    }
    for (const c of d.controls) {
      choice[c.name] = c.value;
      const row = html("div", { class: "setting" }, form);
      const l = html("label", { for: `${root.id}-${c.name}` }, row); l.textContent = c.label;
      if (c.slider) {
        const values = c.choices.map(([v]) => v);
        slider(form, `${root.id}-${c.name}`, null, 0, values.length - 1, 1,
               values.indexOf(c.value), (i) => { choice[c.name] = values[i]; draw(); }, (i) => c.choices[i][1], row);
      } else {
        const s = html("select", { id: `${root.id}-${c.name}` }, row);
        for (const [value, text] of c.choices) { const op = html("option", { value }, s); op.textContent = text; }
        s.value = c.value;
        s.addEventListener("change", () => { choice[c.name] = s.value; draw(); });
      }
    }
    draw();
  };

  E.mount = function (root) {
    if (root.classList.contains("is-live")) return;
    const data = JSON.parse(root.querySelector("script[type='application/json']").textContent);
    const edition = document.querySelector("meta[name='course-edition']");
    if (edition && edition.content === "student") return;  // the student edition: the static figure
    E.kinds[data.kind](root, data);
    root.classList.add("is-live");
  };
  E.mountAll = function () { document.querySelectorAll(".course-explorer").forEach((root) => E.mount(root)); };
  E.mountAll();
})();
