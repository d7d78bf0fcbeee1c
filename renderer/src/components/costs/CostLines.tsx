import type { CostEstimate } from '../../../../shared/contract/costs.estimate';
import { describeQuantity, describeUnitPrice, formatDay, formatUsd } from './money';

/** The line items of an estimate, each with the catalog figure it used and where that figure came from. */
export function CostLines({ estimate, label, testId }: { estimate: CostEstimate; label: string; testId?: string }) {
  return (
    <div className="cost-lines" data-testid={testId}>
      {estimate.lines.length === 0 ? (
        <p className="muted">No charges.</p>
      ) : (
        <table className="cost-table" aria-label={label}>
          <thead>
            <tr>
              <th scope="col">Item</th>
              <th scope="col" className="num">Quantity</th>
              <th scope="col" className="num">Unit price</th>
              <th scope="col" className="num">Cost</th>
              <th scope="col">Source</th>
            </tr>
          </thead>
          <tbody>
            {estimate.lines.map((l, i) => (
              <tr key={`${l.kind}-${i}`}>
                <th scope="row">{l.label}</th>
                <td className="num">{describeQuantity(l.quantity, l.unit)}</td>
                <td className="num">{describeUnitPrice(l.unitPriceUsd, l.unit)}</td>
                <td className="num">{formatUsd(l.totalUsd)}</td>
                <td className="cost-source">
                  {l.source} <span className="muted">({formatDay(l.asOf)})</span>
                </td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">Total</th>
              <td />
              <td />
              <td className="num" data-testid={testId ? `${testId}-total` : undefined}>
                {formatUsd(estimate.totalUsd)}
              </td>
              <td />
            </tr>
          </tfoot>
        </table>
      )}
      {estimate.notes.length > 0 && (
        <ul className="cost-notes">
          {estimate.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
