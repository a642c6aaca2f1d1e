// The deduction form's checks (POST /points/deductions: 1–10,000 points, a reason up to 200
// characters that the household reads).

/** The Chinese message of the first problem, or null when the deduction may be sent. */
export function checkDeduction(
  hasHousehold: boolean,
  points: number | null | undefined,
  reason: string,
): string | null {
  if (!hasHousehold) return '请先选择住户。';
  if (points == null || !Number.isInteger(points) || points < 1) return '请填写要扣除的积分（至少 1 分）。';
  if (points > 10000) return '一次最多扣除 10000 分。';
  const r = reason.trim();
  if (!r) return '请填写扣分原因，这一户会看到。';
  if ([...r].length > 200) return '扣分原因最多 200 个字。';
  return null;
}
