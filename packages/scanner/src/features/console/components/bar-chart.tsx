// A bar chart with Chart.js, registered piece by piece so that only bars are bundled. This module
// is its own chunk, loaded when a dashboard first draws a chart.
import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from 'chart.js';
import { useEffect, useRef } from 'react';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

interface BarChartProps {
  /** Said by screen readers; the numbers are in the table next to the chart. */
  label: string;
  labels: string[];
  values: number[];
  seriesName: string;
  horizontal?: boolean;
}

export default function BarChart({
  label,
  labels,
  values,
  seriesName,
  horizontal = false,
}: BarChartProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  // redraw only when the numbers change, not on every render
  const data = JSON.stringify([labels, values]);

  useEffect(() => {
    if (canvas.current === null) return undefined;
    const [chartLabels, chartValues] = JSON.parse(data) as [string[], number[]];
    const chart = new Chart(canvas.current, {
      type: 'bar',
      data: {
        labels: chartLabels,
        datasets: [{ label: seriesName, data: chartValues, backgroundColor: '#0b57d0' }],
      },
      options: {
        indexAxis: horizontal ? 'y' : 'x',
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false } },
        scales: {
          x: { ticks: { color: '#1a1a1a', precision: 0 }, grid: { display: horizontal } },
          y: { ticks: { color: '#1a1a1a', precision: 0 }, beginAtZero: true },
        },
      },
    });
    return () => {
      chart.destroy();
    };
  }, [data, horizontal, seriesName]);

  const height = horizontal ? Math.max(120, labels.length * 32 + 40) : 220;
  return (
    <div className="chart" style={{ height }}>
      <canvas ref={canvas} role="img" aria-label={label} />
    </div>
  );
}
