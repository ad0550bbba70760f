import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import PDFDocument from "pdfkit";
import { dayFr, monthFr } from "./calendar.js";
import { formatCents, formatPrice } from "./money.js";
import { MENTION_NAMES } from "./statement-csv.js";
import type { Statement } from "./statement.js";
import { woffToSfnt } from "./woff.js";

/**
 * The statement as a PDF (A4, French, DejaVu Sans embedded: every accent and the narrow
 * no-break space of French amounts print as they should). Same figures as the JSON; the
 * document is dated by its date of issue, so the same inputs give the same text.
 */
const require = createRequire(import.meta.url);
const FONT = require.resolve("@fontsource/dejavu-sans/files/dejavu-sans-latin-400-normal.woff");
const FONT_BOLD = require.resolve("@fontsource/dejavu-sans/files/dejavu-sans-latin-700-normal.woff");

const MARGIN = 50;
const PAGE = { width: 595.28, height: 841.89 };
const WIDTH = PAGE.width - 2 * MARGIN;
const BOTTOM = PAGE.height - MARGIN - 20;

interface Column {
  title: string;
  width: number;
  align?: "left" | "right";
}

const SERVICE_FR: Record<string, string> = { messages: "Messages", fichiers: "Fichiers" };
const REACH_FR: Record<string, string> = { member: "directe", epci: "via EPCI", "member+epci": "directe et via EPCI" };
const int = (n: number): string => n.toLocaleString("fr-FR").replace(/\u00a0|\u202f/g, "\u202f");

export function renderStatementPdf(st: Statement): Promise<Buffer> {
  const issued = new Date(`${st.mentions.dateOfIssue}T00:00:00Z`);
  const doc = new PDFDocument({
    size: "A4",
    margin: MARGIN,
    bufferPages: true,
    info: {
      Title: `Avis des sommes à payer — ${st.operator.title} — quadrimestre ${st.period.quadrimestre} ${st.period.year}`,
      Author: st.issuer,
      Subject: st.mentions.object,
      CreationDate: issued,
      ModDate: issued,
    },
  });
  const chunks: Buffer[] = [];
  doc.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });
  doc.registerFont("regular", woffToSfnt(readFileSync(FONT)));
  doc.registerFont("bold", woffToSfnt(readFileSync(FONT_BOLD)));

  const ensure = (height: number, redraw?: () => void): void => {
    if (doc.y + height > BOTTOM) {
      doc.addPage();
      redraw?.();
    }
  };
  const heading = (text: string): void => {
    ensure(40);
    doc.moveDown(0.8).font("bold").fontSize(12).fillColor("#000091").text(text, MARGIN, doc.y, { width: WIDTH });
    doc.moveDown(0.3).fillColor("black");
  };
  const paragraph = (text: string, size = 9): void => {
    doc.font("regular").fontSize(size).text(text, MARGIN, doc.y, { width: WIDTH });
  };
  const table = (columns: Column[], rows: { cells: string[]; bold?: boolean; note?: string }[]): void => {
    const header = (): void => {
      doc.font("bold").fontSize(7.5);
      const height = Math.max(...columns.map((c) => doc.heightOfString(c.title, { width: c.width - 4 }))) + 4;
      ensure(height + 12);
      const y = doc.y;
      doc.rect(MARGIN, y - 2, WIDTH, height).fill("#e3e3fd").fillColor("black");
      let x = MARGIN;
      doc.font("bold").fontSize(7.5);
      for (const c of columns) {
        doc.text(c.title, x + 2, y + 1, { width: c.width - 4, align: c.align ?? "left" });
        x += c.width;
      }
      doc.y = y + height + 1;
    };
    header();
    for (const r of rows) {
      doc.font(r.bold ? "bold" : "regular").fontSize(7.5);
      const height = Math.max(...r.cells.map((t, i) => doc.heightOfString(t, { width: columns[i]!.width - 4 }))) + (r.note ? 10 : 3);
      ensure(height, header);
      const y = doc.y;
      let x = MARGIN;
      doc.font(r.bold ? "bold" : "regular").fontSize(7.5);
      r.cells.forEach((t, i) => {
        doc.text(t, x + 2, y, { width: columns[i]!.width - 4, align: columns[i]!.align ?? "left" });
        x += columns[i]!.width;
      });
      if (r.note) doc.font("regular").fontSize(6.5).fillColor("#a00").text(r.note, MARGIN + 12, y + height - 10, { width: WIDTH - 12 }).fillColor("black");
      doc.y = y + height;
      doc.moveTo(MARGIN, doc.y - 1).lineTo(MARGIN + WIDTH, doc.y - 1).lineWidth(0.3).strokeColor("#cccccc").stroke().strokeColor("black");
    }
  };

  // Header
  doc.font("bold").fontSize(10).text(st.issuer, MARGIN, MARGIN, { width: WIDTH });
  doc.font("regular").fontSize(8).text("Programme La Suite territoriale", { width: WIDTH });
  doc.moveDown(1).font("bold").fontSize(18).fillColor("#000091").text("AVIS DES SOMMES À PAYER", { width: WIDTH }).fillColor("black");
  doc.font("regular").fontSize(10).text(`Quadrimestre ${st.period.quadrimestre} ${st.period.year} : du ${dayFr(st.period.from)} au ${dayFr(st.period.to)}`, { width: WIDTH });
  if (st.operator.example) {
    doc.moveDown(0.5).font("bold").fontSize(9).fillColor("#c00").text("EXEMPLE : configuration d'exemple (identifiants et mentions fictifs), ne pas déposer sur Chorus Pro.", { width: WIDTH }).fillColor("black");
  }

  // Art. 8.6 mentions
  heading("Mentions (contrat, art. 8.6)");
  const m = st.mentions;
  const mentionValue: Record<keyof Statement["mentions"], string> = {
    dateOfIssue: dayFr(m.dateOfIssue),
    recipient: `${m.recipient}${st.operator.siren ? ` (SIREN ${st.operator.siren})` : ""}`,
    codeServiceExecutant: m.codeServiceExecutant,
    object: m.object,
    contractNumber: m.contractNumber,
    ejNumber: m.ejNumber,
    agreedPaymentDate: dayFr(m.agreedPaymentDate),
    amountCents: formatCents(m.amountCents),
  };
  table(
    [{ title: "Mention", width: 150 }, { title: "Valeur", width: WIDTH - 150 }],
    (Object.keys(MENTION_NAMES) as (keyof Statement["mentions"])[]).map((k) => ({ cells: [MENTION_NAMES[k], mentionValue[k]], bold: k === "amountCents" })),
  );

  // Partnership fee
  heading(`1. Contribution de partenariat ${st.fee.year}`);
  if (st.fee.included) {
    const counted = st.fee.lines.filter((l) => l.counted);
    const f = st.fee;
    paragraph(
      `Annexe 2, art. 1 : ${formatPrice(BigInt(f.perInhabitantMicros))} par habitant des communes adhérentes, directement ou via leur intercommunalité, dont la population est supérieure à ${int(f.communeCountsAbove)} habitants ; ` +
        `une commune atteinte seulement via une intercommunalité de moins de ${int(f.epciCountsFrom)} habitants n'est pas comptée ; une commune atteinte des deux façons compte une fois. Plafond : ${formatCents(f.capCents)} par an.`,
    );
    doc.moveDown(0.4);
    table(
      [{ title: "Commune", width: 170 }, { title: "Population", width: 65, align: "right" }, { title: "Adhésion", width: 180 }, { title: "Montant", width: WIDTH - 415, align: "right" }],
      counted.map((l) => ({ cells: [l.name, int(l.population!), l.epci && l.reach !== "member" ? `${REACH_FR[l.reach]} (${l.epci.name})` : REACH_FR[l.reach]!, formatCents(l.cents)] })),
    );
    doc.moveDown(0.3);
    paragraph(`${st.fee.lines.length - counted.length} autre(s) commune(s) couverte(s), non comptée(s) (${int(f.communeCountsAbove)} habitants ou moins, ou seulement via une intercommunalité de moins de ${int(f.epciCountsFrom)} habitants, ou population inconnue ; détail ligne à ligne dans l'export CSV ou JSON).`, 8);
    doc.moveDown(0.2).font("bold").fontSize(9).text(`Population comptée : ${int(st.fee.countedPopulation)} habitants ; ${formatCents(st.fee.uncappedCents)}${st.fee.capped ? `, plafonné à ${formatCents(st.fee.cents)}` : ""}. Contribution due : ${formatCents(st.fee.cents)}.`, MARGIN, doc.y, { width: WIDTH });
  } else {
    paragraph(`La contribution de partenariat ${st.fee.year} est appelée avec l'avis du quadrimestre 1 (art. 8.5 : « à l'issue du premier quadrimestre ») : elle n'est pas due sur cet avis.`);
  }

  // Usage
  heading("2. Usage des services (à quadrimestre échu)");
  paragraph(st.usage.basis, 8);
  doc.moveDown(0.4);
  table(
    [
      { title: "Commune", width: 135 },
      { title: "Service", width: 55 },
      { title: "Mois", width: 70 },
      { title: "Relevés / jours", width: 65, align: "right" },
      { title: "Moyenne (Go)", width: 60, align: "right" },
      { title: "Prix / Go / mois", width: 55, align: "right" },
      { title: "Montant", width: WIDTH - 440, align: "right" },
    ],
    st.usage.lines.map((l) => ({
      cells: [l.name, SERVICE_FR[l.service]!, monthFr(l.month), `${l.sampledDays} / ${l.expectedDays}`, l.meanGb === null ? "—" : l.meanGb.replace(".", ","), formatPrice(BigInt(l.pricePerGbMonthMicros)), l.cents === null ? "sans relevé" : formatCents(l.cents)],
      ...(l.gaps.length > 0 ? { note: `Lacunes (jours sans relevé, non comptés comme nuls) : ${l.gaps.map((g) => (g.from === g.to ? dayFr(g.from) : `${dayFr(g.from)} – ${dayFr(g.to)}`)).join(" ; ")}` } : {}),
    })),
  );
  if (st.usage.lines.length === 0) paragraph("Aucune commune n'était inscrite à un service pendant la période.", 8);
  if (!st.usage.complete) {
    doc.moveDown(0.3).font("bold").fontSize(8).fillColor("#a00").text(`${st.usage.linesWithGaps} ligne(s) avec lacunes, ${st.usage.linesWithoutSample} sans aucun relevé (sans montant).`, MARGIN, doc.y, { width: WIDTH }).fillColor("black");
  }

  // Totals
  heading("Récapitulatif");
  table(
    [{ title: "", width: WIDTH - 120 }, { title: "Montant", width: 120, align: "right" }],
    [
      { cells: [`Contribution de partenariat ${st.fee.year}`, formatCents(st.fee.cents)] },
      { cells: ["Usage des services", formatCents(st.usage.cents)] },
      { cells: ["Montant du versement", formatCents(st.totalCents)], bold: true },
    ],
  );

  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // Below the bottom margin: lift it for the footer, or pdfkit would start a new page.
    doc.page.margins.bottom = 0;
    doc.font("regular").fontSize(7).fillColor("#555").text(`${st.issuer} — avis des sommes à payer, ${st.operator.name}, quadrimestre ${st.period.quadrimestre} ${st.period.year} — page ${i + 1} / ${range.count}`, MARGIN, PAGE.height - MARGIN, { width: WIDTH, align: "center", lineBreak: false });
  }
  doc.end();
  return done;
}
