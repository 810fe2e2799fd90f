// The nianbao walk-through in a real Chromium: a school reporter breaks a rule and sees it at
// the cell, fixes it, explains the warnings and submits; the county reviewer returns it with a
// comment; the school resubmits; the reviewer approves; the city editor previews a narrative
// edit, aggregates and publishes; an anonymous visitor downloads the PDF.
//
// Run by `cargo test -p nianbao-server` (tests/e2e.rs), which starts the server and sets
// BASE_URL, PASSWORD, ARTEFACTS and CHROMIUM. Exits non-zero on the first failed step.
import { chromium } from "playwright-core";
import { mkdirSync, writeFileSync, readFileSync } from "node:fs";
import { join } from "node:path";

const base = process.env.BASE_URL;
const password = process.env.PASSWORD;
const artefacts = process.env.ARTEFACTS;
if (!base || !password || !artefacts) throw new Error("BASE_URL, PASSWORD and ARTEFACTS must be set");
mkdirSync(artefacts, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
const page = await context.newPage();
page.setDefaultTimeout(60_000);
// Irreversible actions (submit, approve, publish, delete) ask first: the walk-through records
// each question and says yes.
const confirmations = [];
page.on("dialog", async (dialog) => {
  confirmations.push(dialog.message());
  await dialog.accept();
});
const log = [];
let step = 0;

function check(condition, message) {
  if (!condition) throw new Error(`step ${step}: ${message}`);
}

async function shot(name) {
  step += 1;
  const file = join(artefacts, `${String(step).padStart(2, "0")}-${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  log.push(`${file}  ${page.url()}`);
  console.log(`step ${step}: ${name} (${page.url()})`);
}

async function login(username) {
  await page.goto(`${base}/login`);
  await page.fill("#username", username);
  await page.fill("#password", password);
  await Promise.all([page.waitForURL(/\/app/), page.click("#login-submit")]);
  check((await page.textContent("#current-user")).length > 0, `${username} is not shown as signed in`);
}

async function logout() {
  await Promise.all([page.waitForURL(`${base}/`), page.click('form[action="/logout"] button')]);
}

async function text(selector) {
  return (await page.textContent(selector)).trim();
}

// 1. The school reporter lands on its data entry page.
await login("yudu-s1");
check(page.url().includes("/app/entry/yudu-s1/"), "the school reporter should land on its entry page");
await shot("school-entry");

// 2. A value that breaks a rule is flagged at its cell.
await page.goto(`${base}/app/entry/yudu-s1/t2`);
const mentors = "#v-t2-industry_mentors";
const original = await page.inputValue(mentors);
await page.fill(mentors, String(Number(original) + 5));
await Promise.all([page.waitForLoadState("load"), page.click("#save")]);
await page.waitForSelector("#row-t2-industry_mentors.error");
const flagged = await text("#row-t2-industry_mentors .finding.error");
check(flagged.includes("行业导师"), `the finding at the cell should name the rule, got ${flagged}`);
check(Number(await text("#error-count")) > 0, "errors should be counted");
check(await page.isDisabled("#submit"), "submit must be disabled while errors remain");
await page.locator("#row-t2-industry_mentors").scrollIntoViewIfNeeded();
await shot("rule-broken-flagged-at-cell");

// 2b. A broken sum is said once, at its first cell, with links to the others; the others point at it.
const campus = "#v-t2-campus_staff";
const campusOriginal = await page.inputValue(campus);
await page.fill(campus, String(Number(campusOriginal) + 7));
await Promise.all([page.waitForLoadState("load"), page.click("#save")]);
const sumMessages = await page.locator("#entry-form .finding.error[id^='finding-table2_total_adds_up']").count();
check(sumMessages === 1, `the sum's message should be said once, got ${sumMessages}`);
const sumPointers = await page.locator("#entry-form .finding.pointer a[href^='#finding-']").count();
check(sumPointers >= 4, `the other cells of the sums should point at their messages, got ${sumPointers}`);
check((await page.locator("#entry-form .finding .involved a").count()) > 0, "the message should link to the cells it involves");
await page.locator("#row-t2-campus_staff").scrollIntoViewIfNeeded();
await shot("sum-said-once");
await page.fill(campus, campusOriginal);
await page.fill(mentors, original);
await Promise.all([page.waitForLoadState("load"), page.click("#save")]);
// 2c. A value the system cannot read is marked at its cell; nothing of the save is stored.
await page.fill(campus, "六");
await Promise.all([page.waitForLoadState("load"), page.click("#save")]);
check((await page.getAttribute(campus, "aria-invalid")) === "true", "the unreadable cell should be marked invalid");
check((await text("#input-problem-t2-campus_staff")).includes("六"), "the problem should be said at the cell");
await page.locator("#row-t2-campus_staff").scrollIntoViewIfNeeded();
await shot("unreadable-at-cell");
await page.fill(campus, campusOriginal);
await page.fill(mentors, String(Number(original) + 5));
await Promise.all([page.waitForLoadState("load"), page.click("#save")]);

// 3. Fixing it clears the error.
await page.fill(mentors, original);
await Promise.all([page.waitForLoadState("load"), page.click("#save")]);
check((await text("#error-count")) === "0", "the error should be gone after the fix");
check(!(await page.locator("#row-t2-industry_mentors.error").count()), "the cell should no longer be flagged");
await shot("fixed");
// 3b. The whole table from the keyboard alone: every cell typed, Enter to the next, Ctrl+Enter
// saves; the mentors' figure is typed wrong and is flagged, then corrected the same way.
async function typeTable(values) {
  const ids = await page.$$eval("#entry-form td.cell input:not([type=hidden])", (inputs) => inputs.map((i) => i.id));
  await page.focus(`#${ids[0]}`);
  for (let i = 0; i < ids.length; i++) {
    check(await page.evaluate(() => document.activeElement?.id) === ids[i], `the keyboard should be on cell ${ids[i]}`);
    await page.keyboard.press("Control+A");
    await page.keyboard.type(values[ids[i]] ?? "");
    if (i < ids.length - 1) await page.keyboard.press("Enter");
  }
  await Promise.all([page.waitForNavigation(), page.keyboard.press("Control+Enter")]);
  return ids;
}
const typed = Object.fromEntries(
  await page.$$eval("#entry-form td.cell input:not([type=hidden])", (inputs) => inputs.map((i) => [i.id, i.value])),
);
const wrong = { ...typed, "v-t2-industry_mentors": String(Number(typed["v-t2-industry_mentors"]) + 7) };
const cellIds = await typeTable(wrong);
check(cellIds.length >= 5, `the table should have several cells, got ${cellIds.length}`);
await page.waitForSelector("#row-t2-industry_mentors.error");
check(await page.inputValue(mentors) === wrong["v-t2-industry_mentors"], "the typed figure should be saved");
await shot("keyboard-entry-flagged");
await typeTable(typed);
check((await text("#error-count")) === "0", "the keyboard correction should clear the error");
for (const id of cellIds) check(await page.inputValue(`#${id}`) === typed[id], `cell ${id} should hold what was typed`);
await shot("keyboard-entry-saved");

// The grid works from the keyboard: ↑ moves to the cell before, Enter to the next one without
// submitting the table.
const before = page.url();
await page.focus(mentors);
await page.keyboard.press("ArrowUp");
const moved = await page.evaluate(() => document.activeElement?.closest("td.cell") ? document.activeElement.id : "");
check(moved && moved !== "v-t2-industry_mentors", `↑ should move to the cell before, focus is on ${moved}`);
await page.keyboard.press("Enter");
await page.waitForTimeout(300);
check(page.url() === before, "Enter in a cell must not submit the table");
check(await page.evaluate(() => document.activeElement?.id) === "v-t2-industry_mentors", "Enter should move to the next cell");
await page.focus(`#${moved}`);
await page.keyboard.press("Tab");
check(await page.evaluate(() => document.activeElement?.tagName) !== "A", "Tab should not stop on a history link");

// 4. Every warning gets a written explanation, each on the tab of its table (a table lists
// only its own warnings).
let explained = 0;
let explainedOn = "";
const tabs = await page.$$eval("nav.tabs a", (links) => links.map((a) => a.getAttribute("href")));
for (const href of tabs) {
  await page.goto(`${base}${href}`);
  const empty = page.locator("#explain-form textarea:placeholder-shown");
  const left = await empty.count();
  for (let i = 0; i < left; i++) await empty.first().fill("样例说明：学校核实无误，变化来自本年度专业调整（演示）。");
  if (left > 0) {
    explained += left;
    explainedOn = href;
    await Promise.all([page.waitForLoadState("load"), page.click("#save-explanations")]);
  }
}
check(explained > 0, "the sample school should have warnings to explain");
await page.goto(`${base}${explainedOn}`);
check((await text("#unexplained-count")) === "0", "all warnings should be explained");
await page.locator("#explain-form").scrollIntoViewIfNeeded();
await shot("warnings-explained");

// 4b. The school writes a case study with a photo, then corrects its title; cases are part of
// the return, so this happens before submitting.
const photo = process.env.PHOTO;
check(photo, "PHOTO (a JPEG for the case study) must be set");
await page.goto(`${base}/app/cases/yudu-s1`);
await page.fill('#new-case input[name="title"]', "样例案例：校企共建实训室（浏览器测试）");
await page.fill('#new-case textarea[name="body"]', "学校与本地企业共建实训室，学生在真实岗位上练习（样例文字）。\n第二段：企业技师每周到校授课（样例文字）。");
await page.selectOption('#new-case select[name="section"]', "industry");
await page.setInputFiles('#new-case input[name="photo1"]', photo);
await page.fill('#new-case input[name="caption1"]', "样例照片：学生在共建实训室练习");
await Promise.all([page.waitForURL(/msg=case/), page.click("#save-case")]);
const saved = page.locator("article.case").last();
check((await saved.textContent()).includes("第二段"), "the case's second paragraph should be its own paragraph");
check((await saved.locator("p").count()) >= 3, "each line of the text should be a paragraph");
check((await saved.locator("figure img").count()) === 1, "the case should show its photo");
await saved.locator("summary").click();
await saved.locator('input[name="title"]').fill("样例案例：校企共建智能制造实训室（浏览器测试）");
await Promise.all([page.waitForURL(/msg=case/), saved.locator("button.save-case").click()]);
check((await page.content()).includes("校企共建智能制造实训室"), "the edited title should be saved");
check((await page.locator("article.case figure img").count()) === 1, "the photo should stay after an edit");
await shot("school-case-with-photo");
await page.goto(`${base}/app/entry/yudu-s1/t2`);

// 5. Submit.
await Promise.all([page.waitForURL(/\/app\/review\/yudu-s1/), page.click("#submit")]);
check((await text("#status")).includes("已提交"), "the status should be submitted");
await shot("submitted");
// Submitted, the case is locked with the return.
await page.goto(`${base}/app/cases/yudu-s1`);
check(await page.locator("#cases-locked").count() === 1, "the cases should say they are locked");
check(await page.locator("#new-case").count() === 0, "no new case while the return is submitted");
await logout();

// 6. The county reviewer sets a deadline that has passed: the schools that have not submitted
// are marked overdue and listed for reminders; then filters and opens the submitted school.
await login("yudu-reviewer");
await page.goto(`${base}/app/review`);
check((await text("#school-yudu-s1")).includes("已提交"), "the dashboard should show the submission");
await page.fill("#deadline-submit", "2024-12-31");
await Promise.all([page.waitForURL(/msg=deadlines/), page.click("#deadline-save")]);
check((await text("#overdue-summary")).includes("逾期"), "overdue schools should be counted after the deadline passed");
const late = page.locator("#review-table tr.overdue");
check((await late.count()) > 0, "overdue schools should be highlighted");
check(!(await page.locator("#school-yudu-s1.overdue").count()), "a submitted school is not overdue");
check((await late.first().textContent()).includes("逾期"), "the row should say how late");
const [reminders] = await Promise.all([page.waitForEvent("download"), page.click("#reminders-download")]);
const reminderFile = join(artefacts, "reminders.csv");
await reminders.saveAs(reminderFile);
const reminderText = readFileSync(reminderFile, "utf8");
check(reminderText.startsWith("\ufeff学校,") && reminderText.includes("逾期"), "the reminder list should be a CSV with the late schools");
check(!reminderText.includes(",yudu-s1,"), "the submitted school is not on the reminder list");
await shot("county-dashboard-overdue");
await Promise.all([page.waitForURL(/show=submitted/), page.click("#filter-submitted")]);
check((await page.locator("#review-table tbody tr").count()) === 1, "the submitted filter should show the one submitted school");
await page.fill("#school-search", "于都");
await Promise.all([page.waitForURL(/q=/), page.press("#school-search", "Enter")]);
check((await text("#school-yudu-s1")).includes("已提交"), "the search should keep the school");
await shot("county-dashboard-filtered");
await page.click("#school-yudu-s1 a");
check((await page.locator("#review-findings .finding-cells").count()) > 0 || (await page.locator("#review-findings li").count()) === 0, "findings should show the figures beside them");
check((await page.locator("#back-to-list").count()) === 1, "the review page should lead back to the list");
await page.fill("#return-comment", "请再次核对表 2 的行业导师人数与附表 6 是否一致。");
await Promise.all([page.waitForURL(/msg=return/), page.click("#return")]);
check((await text("#status")).includes("已退回"), "the status should be returned");
await shot("returned-with-comment");
await logout();

// 7. The school sees the comment and resubmits.
await login("yudu-s1");
check((await text("#status-comment")).includes("行业导师"), "the school should see the reviewer's comment");
check((await text("#return-notice")).includes("退回修改"), "the school should get a notice that its return came back");
await shot("school-sees-comment");
await Promise.all([page.waitForURL(/\/app\/review\/yudu-s1/), page.click("#submit")]);
check((await text("#status")).includes("已提交"), "resubmitted");
await logout();

// 8. The reviewer sees what changed since the return and approves; the data is locked.
await login("yudu-reviewer");
await page.goto(`${base}/app/review/yudu-s1`);
check((await page.locator("#changes").count()) === 1, "the review page should say what changed since the return");
await shot("review-changes-since-return");
await Promise.all([page.waitForURL(/msg=approve/), page.click("#approve")]);
check((await text("#status")).includes("已审核通过"), "approved");
// The county may reopen its own approval while nothing above is published; it asks first.
await page.fill('form[action$="/unlock"] textarea', "样例：学校申请补充一项数据（浏览器测试）。");
await Promise.all([page.waitForURL(/msg=unlock/), page.click("#unlock")]);
check((await text("#status")).includes("已退回"), "reopened: the school may edit again");
await shot("county-reopened");
await logout();
await login("yudu-s1");
check((await text("#return-notice")).includes("退回"), "the school should be told its return came back");
await Promise.all([page.waitForURL(/\/app\/review\/yudu-s1/), page.click("#submit")]);
await logout();
await login("yudu-reviewer");
await page.goto(`${base}/app/review/yudu-s1`);
check((await page.locator("#changes").count()) === 1, "the review page should show what changed since the return");
await Promise.all([page.waitForURL(/msg=approve/), page.click("#approve")]);
check((await text("#status")).includes("已审核通过"), "approved again");
const audit = await text("#audit");
for (const action of ["提交", "退回", "审核通过"]) check(audit.includes(action), `the audit trail should show ${action}`);
check(/\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}/.test(audit), "the audit trail should show local times as people write them");
check(!/\d{4}-\d{2}-\d{2}T\d{2}:/.test(audit), "no raw UTC timestamps in the audit trail");
check(audit.includes("于都县县级审核") && !audit.includes("yudu-reviewer"), "actors should be named as people know them, not by login");
await shot("approved-with-audit-trail");
// The county reviewer publishes the county's report: refused while other returns are not
// approved, then published with a note saying why, which the report prints.
await page.goto(`${base}/app/editor/yudu`);
check(await page.locator("#publish-gate").count() === 1, "the county editor should see what stands before publishing");
await Promise.all([page.waitForURL(/\/publish$/, { timeout: 180_000 }), page.click("#publish")]);
check((await page.content()).includes("尚未审核通过"), "the county report should be refused while returns are unapproved");
await shot("county-publish-refused");
await page.goto(`${base}/app/editor/yudu`);
await page.fill("#override-note", "样例：本县其余学校仍在审核中，先发布已审核学校的数据（浏览器测试）。");
await Promise.all([page.waitForURL(/\/reports\/\d+/, { timeout: 180_000 }), page.click("#publish")]);
const county = await page.content();
check(county.includes("本县其余学校仍在审核中"), "the county report should print the reviewer's note");
check(county.includes("已审核通过 1 所"), "the county report's data note should count the approved return");
await shot("county-report-published");
await page.goto(`${base}/app`);
await logout();

// 9. The city editor edits a narrative with a live preview, aggregates and publishes.
await login("ganzhou-editor");
await page.goto(`${base}/app/editor/ganzhou`);
const preface = page.locator("#text-preface");
await preface.fill("{{ year }} 年，全市中职在校生 {{ value(t1.enrolled) }} 人（样例叙述，由浏览器测试编辑）。");
await page.waitForFunction(() => (document.querySelector("#preview-preface")?.textContent || "").includes("在校生"));
const preview = await text("#preview-preface");
check(/在校生 [\d,]+ 人/.test(preview), `the preview should resolve the binding, got ${preview}`);
await page.locator("#field-preface").scrollIntoViewIfNeeded();
await shot("editor-live-preview");
await Promise.all([page.waitForURL(/msg=saved/), page.click("#save-narratives")]);
await Promise.all([page.waitForURL(/msg=aggregated/), page.click("#aggregate")]);
// The approved school's case is picked into the city report, after the 产教融合 chapter.
const pick = page.locator("#case-picks tr", { hasText: "校企共建智能制造实训室" });
check((await pick.count()) === 1, "the editor should see the school's case");
check((await pick.locator("img").count()) === 1, "the editor should see the case's photo");
await pick.locator('input[name="pick"]').check();
await pick.locator("input.order").fill("1");
await pick.locator("select").selectOption("industry");
await Promise.all([page.waitForURL(/msg=picked/), page.click("#save-picks")]);
check(await page.locator('#case-picks tr input[name="pick"]:checked').count() === 1, "the pick should be saved");
await page.locator("#case-picks").scrollIntoViewIfNeeded();
await shot("city-editor-picks-school-case");
await page.fill("#change-note", "");
// Most schools' returns are not approved: publishing is refused, naming them.
check(await page.locator("#publish-gate").count() === 1, "the editor should see what stands before publishing");
await Promise.all([page.waitForURL(/\/publish$/, { timeout: 180_000 }), page.click("#publish")]);
check((await page.content()).includes("报告暂不能发布"), "publishing over unapproved returns should be refused");
await shot("publish-refused");
// With a note saying why, it is published, and the note is printed in the report.
await page.goto(`${base}/app/editor/ganzhou`);
await page.fill("#override-note", "样例：其余学校仍在审核中，先发布已审核通过学校的数据（浏览器测试）。");
await Promise.all([page.waitForURL(/\/reports\/\d+/, { timeout: 180_000 }), page.click("#publish")]);
const published = await page.content();
check(published.includes("由浏览器测试编辑"), "the published report should carry the edited narrative");
check(published.includes("先发布已审核通过学校的数据"), "the published report should print the editor's note");
check(published.includes("已审核通过 1 所"), "the data note should say how many returns are approved");
const caseHeading = /案例 (\d+)\s*样例案例：校企共建智能制造实训室/.exec(await page.textContent("body"));
check(caseHeading, "the published report should print the picked case as 案例 n");
const figure = /图 (\d+)\s*样例照片：学生在共建实训室练习/.exec(await page.textContent("body"));
check(figure, "the case's photo should be printed as 图 n with its caption");
check((await page.locator('img[alt="样例照片：学生在共建实训室练习"]').count()) === 1, "the photo should be in the report");
writeFileSync(join(artefacts, "picked-case.txt"), `${caseHeading[0]}\n${figure[0]}\n`);
await page.locator('img[alt="样例照片：学生在共建实训室练习"]').scrollIntoViewIfNeeded();
await shot("published-report-with-school-case");
await page.goto(`${base}/app`);
await logout();

// 10. An anonymous visitor downloads the PDF.
await page.goto(`${base}/`);
check(!(await page.locator("#current-user").count()), "the visitor is anonymous");
await shot("portal");
const [download] = await Promise.all([page.waitForEvent("download"), page.locator("a.pdf").first().click()]);
const pdf = join(artefacts, "downloaded-report.pdf");
await download.saveAs(pdf);
const head = readFileSync(pdf).subarray(0, 5).toString("latin1");
check(head === "%PDF-", `the download should be a PDF, starts with ${head}`);
await page.goto(`${base}/data/yudu-s1`);
check((await page.content()).includes("2024"), "the approved school's 2024 data should now be public");
await shot("public-school-data");

// 10b. A reviewer audits a published report it did not make: the planted title in the list of
// cases is found at its line, in Chinese, at 1280 and 390 px.
await login("yudu-reviewer");
await page.goto(`${base}/app/audit`);
await page.setInputFiles("#audit-files", process.env.REPORT);
await Promise.all([page.waitForLoadState("load"), page.click("#audit-submit")]);
await page.waitForSelector("#audit-result");
const auditText = await text("#audit-result");
check(auditText.includes("案例目录中为“案例 15 红色资源融入思政课程”"), `the audit should find the planted title, got ${auditText.slice(0, 300)}`);
check(!/\b(the|and|is|not|error|warning)\b/i.test(auditText.replace(/HTML|JSON/g, "")), "the audit page should speak Chinese");
await shot("audit-result");
await page.setViewportSize({ width: 390, height: 844 });
const auditSideways = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
check(auditSideways <= 2, `the audit page scrolls sideways by ${auditSideways}px at 390 px`);
await shot("390px-audit-result");
await page.setViewportSize({ width: 1280, height: 900 });
await logout();

// 11. Every page of the walk-through in Chinese mode: no English sentence, no login name where
// a person's name belongs; and each working page at 390 px, without the page scrolling sideways.
const english = /\b(the|and|is|are|not|cannot|please|error|warning|submitted|approved|returned|draft|value|version)\b/i;
async function pageText() {
  return await page.evaluate(() => {
    const clone = document.body.cloneNode(true);
    for (const hidden of clone.querySelectorAll("script, style, code, textarea, [hidden]")) hidden.remove();
    return clone.innerText;
  });
}
const visits = [
  ["yudu-s1", ["/app/entry/yudu-s1/t2", "/app/entry/yudu-s1/t1", "/app/cases/yudu-s1", "/app/history/yudu-s1/t2.industry_mentors", "/app/review/yudu-s1", "/app/account", "/app/editor/yudu-s1"]],
  ["yudu-reviewer", ["/app", "/app/review", "/app/review?show=overdue", "/app/review/yudu-s1", "/app/editor/yudu", "/app/account"]],
  ["ganzhou-editor", ["/app", "/app/review", "/app/editor/ganzhou"]],
];
const problems = [];
for (const [user, paths] of visits) {
  await login(user);
  for (const path of paths) {
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
      await page.goto(`${base}${path}`);
      const body = (await pageText()).replace(/English|nianbao|Excel|CSV|PDF|DOCX|XLSX|HTML|Ctrl\+Enter|Enter|Tab|Mbps|MB|JPEG|PNG|GB\/T|\bk?m\b/g, "");
      const found = english.exec(body);
      if (found) problems.push(`${path} (${user}, ${width}px): English “${found[0]}” in “${body.slice(Math.max(0, found.index - 30), found.index + 30).replace(/\s+/g, " ")}”`);
      if (/\byudu-(reviewer|s1|dexin)\b|ganzhou-editor/.test(await page.evaluate(() => document.querySelector("main")?.innerText || ""))) {
        const who = /[^\n]*(yudu-reviewer|ganzhou-editor)[^\n]*/.exec(await page.evaluate(() => document.querySelector("main")?.innerText || ""));
        if (who && !path.startsWith("/app/account")) problems.push(`${path} (${user}): a login name where a name belongs: “${who[0]}”`);
      }
      if (width === 390) {
        const sideways = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        if (sideways > 2) problems.push(`${path} (${user}) scrolls sideways by ${sideways}px at 390 px`);
      }
    }
    const name = path.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "");
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}${path}`);
    await shot(`390px-${user}-${name}`);
    await page.setViewportSize({ width: 1280, height: 900 });
  }
  await page.goto(`${base}/app`);
  await logout();
}
check(problems.length === 0, `pages in Chinese mode:\n${problems.join("\n")}`);

check(confirmations.some((m) => m.includes("确定提交")), "submitting should ask for confirmation");
check(confirmations.some((m) => m.includes("确定解锁")), "reopening should ask for confirmation");
check(confirmations.some((m) => m.includes("确定审核通过")), "approving should ask for confirmation");
check(confirmations.some((m) => m.includes("确定发布")), "publishing should ask for confirmation");
writeFileSync(join(artefacts, "steps.txt"), log.join("\n") + "\n");
await browser.close();
console.log(`walk-through passed: ${step} screenshots in ${artefacts}`);
