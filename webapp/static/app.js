// OneClick Social: the little JavaScript the pages use (no build step).
"use strict";

(function () {
  const csrf = () => document.querySelector('meta[name="csrf-token"]').content;

  async function postJSON(url, body) {
    const res = await fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json",
                 "X-CSRF-Token": csrf() },
      body: JSON.stringify(body),
    });
    let data = {};
    try { data = await res.json(); } catch (e) { data = {}; }
    if (!res.ok) throw new Error(data.detail || "Something went wrong (" + res.status + ").");
    return data;
  }

  // Copy buttons: data-copy="#selector" or data-copy-text="literal".
  document.addEventListener("click", async (ev) => {
    const btn = ev.target.closest("[data-copy], [data-copy-text]");
    if (!btn) return;
    const text = btn.dataset.copyText ||
      document.querySelector(btn.dataset.copy).textContent.trim();
    const status = btn.closest("section, div").querySelector(".copy-status");
    try {
      await navigator.clipboard.writeText(text);
      if (status) status.textContent = "Copied.";
    } catch (e) {
      const range = document.createRange();
      const target = btn.dataset.copy ? document.querySelector(btn.dataset.copy) : null;
      if (target) { range.selectNodeContents(target); getSelection().removeAllRanges(); getSelection().addRange(range); }
      if (status) status.textContent = "Select the text and copy it (Ctrl+C).";
    }
  });

  // Brand settings: live caption preview for a sample text.
  const previewBtn = document.getElementById("preview-btn");
  if (previewBtn) {
    const out = document.getElementById("preview");
    const form = document.getElementById("settings-form");
    let timer = null;
    const run = async () => {
      previewBtn.disabled = true;
      out.setAttribute("aria-busy", "true");
      try {
        const data = await postJSON(previewBtn.dataset.url, {
          text: document.getElementById("sample").value,
          ai_system_prompt: form.ai_system_prompt.value,
          default_hashtags: form.default_hashtags.value,
          forbidden_phrases: form.forbidden_phrases.value,
        });
        out.replaceChildren(...data.platforms.map((p) => {
          const card = document.createElement("div");
          card.className = "card";
          card.dataset.previewPlatform = p.platform;
          const h = document.createElement("h3");
          h.textContent = p.label;
          const meta = document.createElement("p");
          meta.className = "hint";
          meta.textContent = p.length + " / " + p.max + " characters" +
            (p.adapter === "rules" ? " · built-in rules" : " · " + p.adapter) + (p.note ? " · " + p.note : "");
          const body = document.createElement("p");
          body.className = "caption";
          body.textContent = p.text;
          card.append(h, body, meta);
          return card;
        }));
      } catch (e) {
        const err = document.createElement("p");
        err.className = "error"; err.setAttribute("role", "alert"); err.textContent = e.message;
        out.replaceChildren(err);
      } finally {
        previewBtn.disabled = false;
        out.removeAttribute("aria-busy");
      }
    };
    previewBtn.addEventListener("click", run);
    document.getElementById("sample").addEventListener("input", () => {
      clearTimeout(timer); timer = setTimeout(run, 700);
    });
  }

  // Inbox: drag-and-drop upload with a progress bar (XHR reports upload progress).
  const upload = document.querySelector("[data-upload]");
  if (upload) {
    const fileInput = upload.querySelector('input[type="file"]');
    const box = document.getElementById("upload-progress");
    const bar = document.getElementById("upload-bar");
    const pct = document.getElementById("upload-percent");
    const err = document.getElementById("upload-error");
    const send = (file) => {
      const data = new FormData();
      data.append("caption", upload.querySelector("textarea[name=caption]").value);
      data.append("file", file, file.name);
      const xhr = new XMLHttpRequest();
      xhr.open("POST", upload.action);
      xhr.setRequestHeader("X-CSRF-Token", csrf());
      xhr.setRequestHeader("Accept", "application/json");
      box.hidden = false; err.hidden = true;
      upload.querySelector("button[type=submit]").disabled = true;
      xhr.upload.onprogress = (e) => {
        if (!e.lengthComputable) return;
        const p = Math.round((e.loaded / e.total) * 100);
        bar.value = p; pct.textContent = p + "%";
      };
      xhr.onload = () => {
        let body = {};
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = {}; }
        if (xhr.status === 201 && body.url) {
          bar.value = 100; pct.textContent = "100% · processing done";
          window.location.assign(body.url);
          return;
        }
        err.textContent = body.detail || "The upload failed (" + xhr.status + ").";
        err.hidden = false; box.hidden = true;
        upload.querySelector("button[type=submit]").disabled = false;
      };
      xhr.onerror = () => {
        err.textContent = "The connection dropped during the upload. Try again.";
        err.hidden = false; box.hidden = true;
        upload.querySelector("button[type=submit]").disabled = false;
      };
      xhr.send(data);
    };
    upload.addEventListener("submit", (ev) => {
      if (!fileInput.files.length) return;
      ev.preventDefault();
      send(fileInput.files[0]);
    });
    ["dragenter", "dragover"].forEach((t) => upload.addEventListener(t, (ev) => {
      ev.preventDefault(); upload.classList.add("over");
    }));
    ["dragleave", "drop"].forEach((t) => upload.addEventListener(t, (ev) => {
      ev.preventDefault(); upload.classList.remove("over");
    }));
    upload.addEventListener("drop", (ev) => {
      const file = ev.dataTransfer.files[0];
      if (file) send(file);
    });
  }

  // Asset page: make / remake captions for the ticked networks; live character counts.
  const publishForm = document.getElementById("publish-form");
  if (publishForm) {
    const status = document.getElementById("captions-status");
    const chosen = () => [...publishForm.querySelectorAll("[data-platform]:checked")].map((c) => c.value);
    const count = (ta) => {
      const p = ta.id.replace("caption_", "");
      const el = publishForm.querySelector('[data-count="' + p + '"]');
      if (el) el.textContent = [...ta.value].length + " / " + ta.dataset.max + " characters";
    };
    publishForm.querySelectorAll("textarea").forEach((ta) => ta.addEventListener("input", () => count(ta)));
    const make = async (regenerate) => {
      const platforms = chosen();
      if (!platforms.length) { status.textContent = "Tick at least one network."; return; }
      status.textContent = "Writing captions…";
      try {
        const data = await postJSON(publishForm.dataset.captionsUrl, {
          platforms, regenerate, hint: document.getElementById("caption-hint").value || null,
        });
        data.captions.forEach((c) => {
          const ta = document.getElementById("caption_" + c.platform);
          if (!ta) return;
          ta.value = c.text; count(ta);
          const note = publishForm.querySelector('[data-note="' + c.platform + '"]');
          if (note) note.textContent = c.note || (c.is_override ? "Your edit" : c.is_fallback ? "Made by the built-in rules" : "");
        });
        status.textContent = "Captions ready. Edit any of them before publishing.";
      } catch (e) {
        status.textContent = e.message;
      }
    };
    document.getElementById("make-captions").addEventListener("click", () => make(false));
    document.getElementById("regen-captions").addEventListener("click", () => make(true));
    publishForm.addEventListener("submit", () => {
      const btn = document.getElementById("publish-btn");
      setTimeout(() => { btn.disabled = true; btn.textContent = "Publishing…"; }, 0);
    });
  }

  // Job page: poll the job's status until it ends.
  const job = document.getElementById("job");
  if (job && job.dataset.ended !== "true") {
    const update = (data) => {
      document.getElementById("job-icon").textContent = data.icon;
      const st = document.getElementById("job-status");
      st.textContent = data.words; st.dataset.status = data.status;
      document.getElementById("job-progress").value = data.progress;
      document.getElementById("job-percent").textContent = data.progress + "%";
      data.targets.forEach((t) => {
        const row = document.getElementById("target-" + t.id);
        if (!row) return;
        row.dataset.status = t.status;
        row.querySelector(".t-icon").textContent = t.icon;
        row.querySelector(".t-words").textContent = t.words;
        row.querySelector(".t-progress").value = t.progress;
        row.querySelector(".t-percent").textContent = t.progress + "%";
        const errEl = row.querySelector(".t-error");
        errEl.textContent = t.error; errEl.hidden = !t.error;
        row.querySelector(".t-retry").hidden = !t.can_retry;
        const unknown = row.querySelector(".t-unknown");
        if (unknown) unknown.hidden = !t.can_resolve;
        const link = row.querySelector(".t-link");
        if (t.url) { link.href = t.url; link.hidden = false; }
      });
    };
    const poll = async () => {
      try {
        const res = await fetch(job.dataset.poll, { headers: { Accept: "application/json" },
                                                    credentials: "same-origin" });
        if (res.ok) {
          const data = await res.json();
          update(data);
          if (data.ended) { job.dataset.ended = "true"; return; }
        }
      } catch (e) { /* a dropped poll is retried */ }
      setTimeout(poll, 1000);
    };
    setTimeout(poll, 500);
  }
})();
