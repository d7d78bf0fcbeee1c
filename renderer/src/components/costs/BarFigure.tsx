import { useId } from 'react';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { truncateMiddle } from '../../format';

export interface BarDatum {
  label: string;
  value: number;
  /** Extra columns of the table, already formatted (e.g. the object count). */
  cells?: string[];
}

interface Props {
  title: string;
  data: BarDatum[];
  format: (value: number) => string;
  /** Header of the value column and of the extra columns. */
  valueHeader: string;
  extraHeaders?: string[];
  testId?: string;
}

/**
 * A horizontal bar chart with the same figures as a table under it: the table is what a screen reader (and a
 * user who wants the exact figure) reads, so the drawing itself is hidden from assistive technology.
 */
export function BarFigure({ title, data, format, valueHeader, extraHeaders = [], testId }: Props) {
  const captionId = useId();
  const height = Math.max(90, data.length * 30 + 40);
  return (
    <figure className="cost-figure" aria-labelledby={captionId} data-testid={testId}>
      <figcaption id={captionId}>{title}</figcaption>
      {data.length === 0 ? (
        <p className="muted">Nothing to show.</p>
      ) : (
        <>
          <div className="cost-chart" aria-hidden="true">
            <ResponsiveContainer width="100%" height={height}>
              <BarChart data={data} layout="vertical" margin={{ top: 4, right: 16, bottom: 4, left: 4 }} accessibilityLayer={false}>
                <CartesianGrid horizontal={false} strokeDasharray="3 3" />
                <XAxis type="number" tickFormatter={(v: number) => format(v)} tickCount={4} />
                <YAxis type="category" dataKey="label" width={130} tickFormatter={(v: string) => truncateMiddle(v, 18)} />
                <Tooltip formatter={(v) => (typeof v === 'number' ? format(v) : String(v))} cursor={{ className: 'cost-chart-cursor' }} />
                <Bar dataKey="value" name={valueHeader} isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          </div>
          <table className="cost-table" aria-label={title}>
            <thead>
              <tr>
                <th scope="col">Name</th>
                {extraHeaders.map((h) => (
                  <th scope="col" key={h} className="num">{h}</th>
                ))}
                <th scope="col" className="num">{valueHeader}</th>
              </tr>
            </thead>
            <tbody>
              {data.map((d) => (
                <tr key={d.label}>
                  <th scope="row" title={d.label}>{truncateMiddle(d.label, 40)}</th>
                  {(d.cells ?? []).map((c, i) => (
                    <td key={i} className="num">{c}</td>
                  ))}
                  <td className="num">{format(d.value)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </figure>
  );
}
