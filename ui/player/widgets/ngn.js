// Casebook's NGN item widgets, mounted with st.components.v2 (see ngn.py).
//
// A hand-written ES module: no build step, no dependency, nothing fetched at run time.
// Every text is set with textContent (never innerHTML): case text is data, not markup.
//
// Contract with Python: `data.spec` describes the item (its kind, texts and ids) and
// `data.value` is the answer so far, in the shape of scoring/responses.py. A change sends
// the whole answer back with setStateValue("answer", answer). (Not "value": Streamlit reads a
// state of only {"value": {...}} as the old flat shape and would not call the callback.) The DOM is built once per spec
// and then only updated, so focus stays where the trainee left it across reruns.

const views = new WeakMap(); // parentElement → {sig, root, view, value, pending, send}
// The control last focused in a widget: Streamlit may mount a widget afresh on a rerun (a new
// parentElement), and a keyboard user must not be sent back to the top of the page.
let lastFocus = { widget: null, key: null };

export default function mount({ data, parentElement, setStateValue }) {
  let st = views.get(parentElement);
  if (!st) {
    st = { sig: null, root: null, view: null, value: null, pending: null };
    views.set(parentElement, st);
  }
  st.send = (value) => {
    st.pending = JSON.stringify(value);
    setStateValue("answer", value);
  };
  const sig = JSON.stringify(data.spec);
  if (st.sig !== sig || !st.root || !st.root.isConnected) {
    let focus = focusKey(parentElement);
    if (!focus && lastFocus.widget === data.spec.id && (focusLost() || focusInOldCopy())) {
      focus = lastFocus.key;
    }
    st.root?.remove();
    st.root = el("div", { class: "cb-ngn" });
    st.root.addEventListener("focusin", (e) => {
      lastFocus = { widget: data.spec.id, key: e.target.dataset?.fk ?? null };
    });
    parentElement.appendChild(st.root);
    st.sig = sig;
    st.value = clone(data.value);
    st.pending = null;
    st.view = RENDERERS[data.spec.kind](st.root, data.spec, st);
    st.view.update(st.value);
    restoreFocus(parentElement, focus);
    return;
  }
  const incoming = JSON.stringify(data.value);
  if (st.pending !== null) {
    // An echo of an answer sent earlier: the trainee already sees a newer one.
    if (incoming === st.pending) st.pending = null;
    return;
  }
  if (incoming !== JSON.stringify(st.value)) {
    st.value = clone(data.value);
    st.view.update(st.value);
  }
}

// ---------------------------------------------------------------- helpers

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

function clone(value) {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

function focusLost() {
  return !document.activeElement || document.activeElement === document.body;
}

// Mounted afresh, the widget's old copy may still be in the page, holding the focus, until
// Streamlit removes it: then the focus is on the old copy's host (its shadow root holds a
// widget), and would fall to the page body when it goes. Take the focus over at once.
function focusInOldCopy() {
  const host = document.activeElement;
  return Boolean(host?.shadowRoot?.querySelector(".cb-ngn") || host?.querySelector?.(".cb-ngn"));
}

function focusKey(parent) {
  const active = parent.activeElement ?? document.activeElement;
  return active?.dataset?.fk ?? null;
}

function restoreFocus(parent, key) {
  if (!key) return;
  const target = parent.querySelector(`[data-fk="${CSS.escape(key)}"]`);
  target?.focus({ preventScroll: true });
}

function commit(st, value) {
  st.value = value;
  st.view.update(value);
  st.send(value);
}

function liveRegion(root) {
  const region = el("div", { class: "cb-sr-only", role: "status", "aria-live": "polite" });
  root.append(region);
  return (text) => {
    region.textContent = "";
    // A fresh text node after a tick, so the same words are announced twice in a row.
    setTimeout(() => (region.textContent = text), 30);
  };
}

function quoted(text) {
  return `‘${text}’`;
}

// Pointer dragging shared by the ordering list and the bow-tie: mouse, pen and touch alike.
// A press that moves under 6 px stays a click, so every drag has a click or a button as its
// single-pointer alternative (WCAG 2.2 SC 2.5.7).
function pointerDrag(handle, { onStart, onMove, onDrop, touchHandle = null }) {
  let drag = null;
  let swallowClick = false;
  handle.addEventListener("pointerdown", (e) => {
    if (e.button !== 0 || e.target.closest("[data-nodrag]")) return;
    if (e.pointerType === "touch" && touchHandle && !e.target.closest(touchHandle)) return;
    drag = { x: e.clientX, y: e.clientY, id: e.pointerId, moving: false };
  });
  handle.addEventListener("pointermove", (e) => {
    if (!drag || e.pointerId !== drag.id) return;
    if (!drag.moving) {
      if (Math.hypot(e.clientX - drag.x, e.clientY - drag.y) < 6) return;
      drag.moving = true;
      handle.setPointerCapture(e.pointerId);
      onStart?.(e);
    }
    e.preventDefault();
    onMove?.(e);
  });
  const end = (e, cancelled) => {
    if (!drag || e.pointerId !== drag.id) return;
    const moved = drag.moving;
    drag = null;
    if (!moved) return;
    swallowClick = true;
    setTimeout(() => (swallowClick = false), 0);
    onDrop?.(e, cancelled);
  };
  handle.addEventListener("pointerup", (e) => end(e, false));
  handle.addEventListener("pointercancel", (e) => end(e, true));
  handle.addEventListener(
    "click",
    (e) => {
      if (swallowClick) {
        e.preventDefault();
        e.stopPropagation();
      }
    },
    true,
  );
}

// ---------------------------------------------------------------- matrix grid

function matrix(root, spec, st) {
  const type = spec.multiple ? "checkbox" : "radio";
  const table = el("table", { class: "cb-matrix" });
  table.append(el("caption", { class: "cb-sr-only" }, spec.label));
  const head = el("tr", {}, el("th", { scope: "col" }, spec.row_header));
  for (const c of spec.columns) head.append(el("th", { scope: "col" }, c.text));
  table.append(el("thead", {}, head));
  const body = el("tbody");
  const inputs = [];
  for (const r of spec.rows) {
    const tr = el("tr", {}, el("th", { scope: "row" }, r.text));
    for (const c of spec.columns) {
      const input = el("input", {
        type,
        name: `${spec.id}-${r.id}`,
        value: c.id,
        "aria-label": `${r.text}: ${c.text}`,
        "data-fk": `m:${r.id}:${c.id}`,
      });
      input.addEventListener("change", () => commit(st, read()));
      inputs.push({ input, row: r.id, col: c.id });
      const cell = el("label", { class: "cb-cell" }, input);
      cell.append(el("span", { class: "cb-cell-text", "aria-hidden": "true" }, c.text));
      tr.append(el("td", { "data-col": c.text }, cell));
    }
    body.append(tr);
  }
  table.append(body);
  root.append(el("div", { class: "cb-scroll" }, table));

  function read() {
    const value = {};
    for (const { input, row, col } of inputs) {
      if (!input.checked) continue;
      if (spec.multiple) (value[row] ??= []).push(col);
      else value[row] = col;
    }
    return value;
  }
  return {
    update(value) {
      for (const { input, row, col } of inputs) {
        const got = value?.[row];
        input.checked = Array.isArray(got) ? got.includes(col) : got === col;
      }
    },
  };
}

// ---------------------------------------------------------------- highlight

function highlight(root, spec, st) {
  const buttons = new Map();
  const segments = (parts, into) => {
    for (const part of parts) {
      if (part.id === undefined || part.id === null) {
        into.append(document.createTextNode(part.text));
        continue;
      }
      // A span, not a <button>: a button is an inline block and cannot wrap inside the
      // sentence, so long phrases would jump to a line of their own.
      const button = el(
        "span",
        {
          role: "button",
          tabindex: "0",
          class: "cb-phrase",
          "aria-pressed": "false",
          "data-fk": `h:${part.id}`,
        },
        part.text,
      );
      const toggle = () => {
        const chosen = new Set(st.value ?? []);
        if (chosen.has(part.id)) chosen.delete(part.id);
        else chosen.add(part.id);
        commit(st, spec.order.filter((id) => chosen.has(id)));
      };
      button.addEventListener("click", toggle);
      button.addEventListener("keydown", (e) => {
        if (e.key !== " " && e.key !== "Enter") return;
        e.preventDefault();
        toggle();
      });
      buttons.set(part.id, button);
      into.append(button);
    }
  };
  const group = el("div", { class: "cb-highlight", role: "group", "aria-label": spec.label });
  if (spec.rows) {
    const table = el("table", { class: "cb-table" });
    const head = el("tr");
    for (const c of spec.columns) head.append(el("th", { scope: "col" }, c));
    table.append(el("thead", {}, head));
    const body = el("tbody");
    for (const row of spec.rows) {
      const tr = el("tr");
      row.forEach((cell, i) => {
        const td = el(i === 0 ? "th" : "td", i === 0 ? { scope: "row" } : {});
        segments(cell, td);
        tr.append(td);
      });
      body.append(tr);
    }
    table.append(body);
    group.append(el("div", { class: "cb-scroll" }, table));
  } else {
    const passage = el("p", { class: "cb-passage" });
    segments(spec.segments, passage);
    group.append(passage);
  }
  const count = el("p", { class: "cb-count", "aria-live": "polite" });
  root.append(group, count);
  return {
    update(value) {
      const chosen = new Set(value ?? []);
      for (const [id, button] of buttons) button.setAttribute("aria-pressed", chosen.has(id));
      const n = chosen.size;
      count.textContent = `${n} ${n === 1 ? "phrase" : "phrases"} highlighted`;
    },
  };
}

// ---------------------------------------------------------------- drop-downs

function selectFor(blank, st) {
  const select = el("select", {
    class: "cb-select",
    "aria-label": blank.label,
    "data-fk": `c:${blank.id}`,
  });
  select.append(el("option", { value: "" }, "Select…"));
  for (const o of blank.options) select.append(el("option", { value: o.id }, o.text));
  select.addEventListener("change", () => {
    const value = { ...(st.value ?? {}) };
    if (select.value) value[blank.id] = select.value;
    else delete value[blank.id];
    commit(st, value);
  });
  return select;
}

function cloze(root, spec, st) {
  const selects = new Map();
  const sentence = el("p", { class: "cb-cloze" });
  for (const part of spec.parts) {
    if (typeof part === "string") {
      sentence.append(document.createTextNode(part));
    } else {
      const select = selectFor(part, st);
      selects.set(part.id, select);
      sentence.append(select);
    }
  }
  root.append(sentence);
  return updateSelects(selects);
}

function dropdownTable(root, spec, st) {
  const selects = new Map();
  const table = el("table", { class: "cb-table" });
  table.append(el("caption", { class: "cb-sr-only" }, spec.label));
  const head = el("tr");
  for (const c of spec.columns) head.append(el("th", { scope: "col" }, c));
  table.append(el("thead", {}, head));
  const body = el("tbody");
  for (const row of spec.rows) {
    const select = selectFor(row, st);
    selects.set(row.id, select);
    body.append(el("tr", {}, el("th", { scope: "row" }, row.text), el("td", {}, select)));
  }
  table.append(body);
  root.append(el("div", { class: "cb-scroll" }, table));
  return updateSelects(selects);
}

function updateSelects(selects) {
  return {
    update(value) {
      for (const [id, select] of selects) select.value = value?.[id] ?? "";
    },
  };
}

// ---------------------------------------------------------------- ordering

function ordering(root, spec, st) {
  const texts = Object.fromEntries(spec.options.map((o) => [o.id, o.text]));
  const say = liveRegion(root);
  root.append(el("p", { class: "cb-hint", id: `${spec.id}-hint` }, spec.hint));
  const list = el("ol", {
    class: "cb-order",
    "aria-label": spec.label,
    "aria-describedby": `${spec.id}-hint`,
  });
  const items = new Map();
  const move = (id, delta, focus) => {
    const order = [...st.value];
    const i = order.indexOf(id);
    const j = i + delta;
    if (i < 0 || j < 0 || j >= order.length) return;
    [order[i], order[j]] = [order[j], order[i]];
    commit(st, order);
    items.get(id)[focus].focus({ preventScroll: false });
    say(`${quoted(texts[id])} moved to position ${j + 1} of ${order.length}.`);
  };
  for (const o of spec.options) {
    const up = el(
      "button",
      { type: "button", class: "cb-move", "data-fk": `o:${o.id}:up`, "data-nodrag": true },
      "↑",
    );
    const down = el(
      "button",
      { type: "button", class: "cb-move", "data-fk": `o:${o.id}:down`, "data-nodrag": true },
      "↓",
    );
    up.setAttribute("aria-label", `Move ${quoted(o.text)} up`);
    down.setAttribute("aria-label", `Move ${quoted(o.text)} down`);
    up.title = "Move up one place";
    down.title = "Move down one place";
    up.addEventListener("click", () => move(o.id, -1, "up"));
    down.addEventListener("click", () => move(o.id, 1, "down"));
    const keys = (e) => {
      // Alt+arrows move the item whose button has focus; plain arrows are left to the page.
      if (!e.altKey || !["ArrowUp", "ArrowDown"].includes(e.key)) return;
      e.preventDefault();
      move(o.id, e.key === "ArrowUp" ? -1 : 1, e.key === "ArrowUp" ? "up" : "down");
    };
    up.addEventListener("keydown", keys);
    down.addEventListener("keydown", keys);
    const number = el("span", { class: "cb-pos", "aria-hidden": "true" });
    const item = el(
      "li",
      { class: "cb-item", "data-id": o.id },
      el("span", { class: "cb-grip", "aria-hidden": "true" }, "⠿"),
      number,
      el("span", { class: "cb-text" }, o.text),
      el("span", { class: "cb-moves" }, up, down),
    );
    pointerDrag(item, {
      touchHandle: ".cb-grip",
      onStart: () => item.classList.add("cb-dragging"),
      onMove: (e) => {
        // Live reorder: the item jumps past a neighbour once the pointer crosses its middle.
        let prev = item.previousElementSibling;
        while (prev && e.clientY < middle(prev)) {
          list.insertBefore(item, prev);
          prev = item.previousElementSibling;
        }
        let next = item.nextElementSibling;
        while (next && e.clientY > middle(next)) {
          list.insertBefore(item, next.nextElementSibling);
          next = item.nextElementSibling;
        }
        renumber();
      },
      onDrop: (_, cancelled) => {
        item.classList.remove("cb-dragging");
        const order = [...list.children].map((li) => li.dataset.id);
        if (cancelled) {
          this_update(st.value);
          return;
        }
        commit(st, order);
        say(`${quoted(o.text)} dropped at position ${order.indexOf(o.id) + 1} of ${order.length}.`);
      },
    });
    items.set(o.id, { item, up, down, number });
  }
  root.append(list);
  const middle = (node) => {
    const r = node.getBoundingClientRect();
    return r.top + r.height / 2;
  };
  const renumber = () => {
    const lis = [...list.children];
    lis.forEach((li, i) => {
      const parts = items.get(li.dataset.id);
      parts.number.textContent = `${i + 1}.`;
      parts.up.setAttribute("aria-disabled", i === 0);
      parts.down.setAttribute("aria-disabled", i === lis.length - 1);
    });
  };
  const this_update = (value) => {
    const active = focusKey(root.getRootNode());
    for (const id of value ?? []) if (items.has(id)) list.append(items.get(id).item);
    renumber();
    restoreFocus(root.getRootNode(), active);
  };
  return { update: this_update };
}

// ---------------------------------------------------------------- bow-tie

function bowTie(root, spec, st) {
  const say = liveRegion(root);
  const wings = Object.fromEntries(spec.wings.map((w) => [w.wing, w]));
  const textOf = {};
  for (const w of spec.wings) for (const o of w.options) textOf[`${w.wing}:${o.id}`] = o.text;
  const slots = {}; // wing → [{box, text, remove}]
  const banks = {}; // wing → Map(id → button)

  const place = (wing, id, at = null) => {
    const value = clone(st.value) ?? {};
    const picked = (value[wing] ??= []);
    const w = wings[wing];
    if (picked.includes(id)) {
      if (at === null) return;
      picked.splice(picked.indexOf(id), 1);
    }
    if (at !== null && at < picked.length) picked.splice(at, 1, id);
    else if (picked.length < w.pick) picked.push(id);
    else if (w.pick === 1) picked.splice(0, 1, id);
    else {
      say(`${w.slot_title}: both places are filled. Remove one first.`);
      return;
    }
    commit(st, value);
    say(`${quoted(textOf[`${wing}:${id}`])} placed in ${w.slot_title}.`);
  };
  const remove = (wing, id, fromSlot = false) => {
    const value = clone(st.value) ?? {};
    value[wing] = (value[wing] ?? []).filter((x) => x !== id);
    commit(st, value);
    // The slot's remove button is hidden now: focus goes back to the choice in its list.
    if (fromSlot) banks[wing].get(id).focus();
    say(`${quoted(textOf[`${wing}:${id}`])} removed from ${wings[wing].slot_title}.`);
  };

  // The diagram: actions on the left, the condition in the middle, parameters on the right.
  const tie = el("div", { class: "cb-bowtie", role: "group", "aria-label": spec.label });
  const connector = (flip) =>
    el("div", { class: `cb-tie-line${flip ? " cb-flip" : ""}`, "aria-hidden": "true" });
  for (const [i, wing] of ["actions", "condition", "parameters"].entries()) {
    const w = wings[wing];
    const column = el("div", { class: `cb-tie-wing cb-${wing}` });
    column.append(el("p", { class: "cb-slot-title" }, w.slot_title));
    slots[wing] = [];
    for (let n = 0; n < w.pick; n++) {
      const text = el("span", { class: "cb-slot-text" });
      const button = el("button", {
        type: "button",
        class: "cb-remove",
        "data-fk": `b:${wing}:slot${n}`,
      });
      button.textContent = "×";
      const box = el("div", { class: "cb-slot", "data-wing": wing, "data-at": n }, text, button);
      column.append(box);
      slots[wing].push({ box, text, button });
    }
    if (i === 1) tie.append(connector(false));
    tie.append(column);
    if (i === 1) tie.append(connector(true));
  }
  root.append(tie);

  // The three lists of choices under the diagram, as the NCLEX shows them.
  const lists = el("div", { class: "cb-banks" });
  for (const wing of ["actions", "condition", "parameters"]) {
    const w = wings[wing];
    const bank = el("fieldset", { class: `cb-bank cb-${wing}` });
    bank.append(el("legend", {}, `${w.bank_title} (choose ${w.pick})`));
    banks[wing] = new Map();
    for (const o of w.options) {
      const token = el(
        "button",
        { type: "button", class: "cb-token", "aria-pressed": "false", "data-fk": `b:${wing}:${o.id}` },
        o.text,
      );
      token.addEventListener("click", () => {
        if ((st.value?.[wing] ?? []).includes(o.id)) remove(wing, o.id);
        else place(wing, o.id);
      });
      let ghost = null;
      pointerDrag(token, {
        touchHandle: "[data-touch-drag]", // none: on a touch screen a tap places, a swipe scrolls
        onStart: (e) => {
          ghost = el("div", { class: "cb-ghost", "aria-hidden": "true" }, o.text);
          root.append(ghost);
          moveGhost(ghost, e);
        },
        onMove: (e) => {
          moveGhost(ghost, e);
          for (const s of slots[wing]) s.box.classList.toggle("cb-over", s.box === slotAt(e));
        },
        onDrop: (e, cancelled) => {
          ghost?.remove();
          ghost = null;
          const target = cancelled ? null : slotAt(e);
          for (const s of slots[wing]) s.box.classList.remove("cb-over");
          if (target && target.dataset.wing === wing) place(wing, o.id, Number(target.dataset.at));
        },
      });
      banks[wing].set(o.id, token);
      bank.append(token);
    }
    lists.append(bank);
  }
  root.append(lists);

  const host = root.getRootNode();
  const slotAt = (e) => {
    const hit = (host.elementFromPoint ?? document.elementFromPoint).call(host, e.clientX, e.clientY);
    return hit?.closest?.(".cb-slot") ?? null;
  };
  const moveGhost = (ghost, e) => {
    ghost.style.left = `${e.clientX + 8}px`;
    ghost.style.top = `${e.clientY + 8}px`;
  };

  return {
    update(value) {
      for (const wing of Object.keys(wings)) {
        const picked = value?.[wing] ?? [];
        const w = wings[wing];
        slots[wing].forEach((s, n) => {
          const id = picked[n];
          const filled = id !== undefined;
          s.box.classList.toggle("cb-filled", filled);
          s.text.textContent = filled ? textOf[`${wing}:${id}`] : w.empty;
          s.button.hidden = !filled;
          if (filled) {
            s.button.setAttribute("aria-label", `Remove ${quoted(textOf[`${wing}:${id}`])} from ${w.slot_title}`);
            s.button.onclick = () => remove(wing, id, true);
          }
        });
        const full = picked.length >= w.pick && w.pick > 1;
        for (const [id, token] of banks[wing]) {
          const on = picked.includes(id);
          token.setAttribute("aria-pressed", on);
          token.setAttribute("aria-disabled", full && !on);
        }
      }
    },
  };
}

// ---------------------------------------------------------------- multiple-response grouping

function grouping(root, spec, st) {
  const boxes = [];
  const table = el("table", { class: "cb-table cb-grouping" });
  table.append(el("caption", { class: "cb-sr-only" }, spec.label));
  table.append(el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Group"),
    el("th", { scope: "col" }, "Select all that apply"))));
  const body = el("tbody");
  for (const g of spec.groups) {
    const cell = el("td");
    const set = el("div", { class: "cb-choices", role: "group", "aria-label": g.label });
    for (const o of g.options) {
      const input = el("input", { type: "checkbox", value: o.id, "data-fk": `g:${g.id}:${o.id}` });
      input.addEventListener("change", () => commit(st, read()));
      boxes.push({ input, group: g.id, option: o.id });
      set.append(el("label", { class: "cb-choice" }, input, el("span", {}, o.text)));
    }
    cell.append(set);
    body.append(el("tr", {}, el("th", { scope: "row" }, g.label), cell));
  }
  table.append(body);
  root.append(el("div", { class: "cb-scroll" }, table));
  function read() {
    const value = Object.fromEntries(spec.groups.map((g) => [g.id, []]));
    for (const b of boxes) if (b.input.checked) value[b.group].push(b.option);
    return value;
  }
  return {
    update(value) {
      for (const b of boxes) b.input.checked = (value?.[b.group] ?? []).includes(b.option);
    },
  };
}

// ---------------------------------------------------------------- drag-and-drop into the text

function tokens(root, spec, st) {
  const say = liveRegion(root);
  const texts = Object.fromEntries(spec.tokens.map((t) => [t.id, t.text]));
  const spaces = new Map(); // target id → {button, label}
  const bank = new Map(); // token id → button
  const order = spec.parts.filter((p) => typeof p !== "string").map((p) => p.id);

  const place = (token, target = null) => {
    const value = { ...(st.value ?? {}) };
    for (const [t, k] of Object.entries(value)) if (k === token) delete value[t];
    const at = target ?? order.find((t) => !value[t]);
    if (!at) {
      say("Every space is filled. Take a word out of a space first.");
      return;
    }
    value[at] = token;
    commit(st, value);
    say(`${quoted(texts[token])} placed in ${spaces.get(at).label}.`);
  };
  const takeOut = (target) => {
    const value = { ...(st.value ?? {}) };
    const token = value[target];
    delete value[target];
    commit(st, value);
    bank.get(token)?.focus();
    say(`${quoted(texts[token])} taken out of ${spaces.get(target).label}.`);
  };

  const sentence = el("p", { class: "cb-cloze" });
  for (const part of spec.parts) {
    if (typeof part === "string") {
      sentence.append(document.createTextNode(part));
      continue;
    }
    const button = el("button", { type: "button", class: "cb-space", "data-fk": `t:${part.id}` });
    button.dataset.target = part.id;
    button.addEventListener("click", () => {
      if (st.value?.[part.id]) takeOut(part.id);
      else say(`${part.label} is empty: choose a word from the list to place it.`);
    });
    spaces.set(part.id, { button, label: part.name, full: part.label });
    sentence.append(button);
  }
  root.append(sentence);

  const words = el("div", { class: "cb-bank cb-words", role: "group", "aria-label": "Words to place" });
  words.append(el("p", { class: "cb-slot-title" }, spec.bank_title));
  const host = root.getRootNode();
  for (const t of spec.tokens) {
    const token = el(
      "button",
      { type: "button", class: "cb-token", "aria-pressed": "false", "data-fk": `w:${t.id}` },
      t.text,
    );
    token.addEventListener("click", () => {
      const at = Object.entries(st.value ?? {}).find(([, k]) => k === t.id);
      if (at) takeOut(at[0]);
      else place(t.id);
    });
    let ghost = null;
    pointerDrag(token, {
      touchHandle: "[data-touch-drag]", // none: on a touch screen a tap places, a swipe scrolls
      onStart: (e) => {
        ghost = el("div", { class: "cb-ghost", "aria-hidden": "true" }, t.text);
        root.append(ghost);
        ghost.style.left = `${e.clientX + 8}px`;
        ghost.style.top = `${e.clientY + 8}px`;
      },
      onMove: (e) => {
        ghost.style.left = `${e.clientX + 8}px`;
        ghost.style.top = `${e.clientY + 8}px`;
      },
      onDrop: (e, cancelled) => {
        ghost?.remove();
        ghost = null;
        if (cancelled) return;
        const hit = (host.elementFromPoint ?? document.elementFromPoint).call(
          host, e.clientX, e.clientY);
        const space = hit?.closest?.(".cb-space");
        if (space) place(t.id, space.dataset.target);
      },
    });
    bank.set(t.id, token);
    words.append(token);
  }
  root.append(words);

  return {
    update(value) {
      const used = new Set(Object.values(value ?? {}));
      for (const [id, { button, label, full }] of spaces) {
        const token = value?.[id];
        button.textContent = token ? texts[token] : label;
        button.classList.toggle("cb-filled", Boolean(token));
        button.setAttribute(
          "aria-label",
          token ? `${full}: ${texts[token]}. Press to take it out.` : `${full}: empty`,
        );
      }
      for (const [id, token] of bank) token.setAttribute("aria-pressed", used.has(id));
    },
  };
}

const RENDERERS = {
  matrix,
  highlight,
  cloze,
  dropdown_table: dropdownTable,
  ordering,
  bow_tie: bowTie,
  grouping,
  tokens,
};
