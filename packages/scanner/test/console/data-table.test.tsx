// The console's DataTable: the markup its phone cards are drawn from (console.css turns each row
// into a card of "label: value" lines), with the table's roles spelled out so that a screen
// reader still finds a table when the cards change its display.
import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { DataRow, DataTable } from '../../src/features/console/components/ui.tsx';

function StoreRow({ code, name }: { code: string; name: string }) {
  return (
    <DataRow data-store={code}>
      <th scope="row">{code}</th>
      <td>{name}</td>
      <td className="num">3</td>
      <td>
        <button type="button">Edit {code}</button>
      </td>
    </DataRow>
  );
}

function renderStores(options: { showTimeZone: boolean }) {
  return render(
    <DataTable
      label="Stores"
      caption="Two stores"
      columns={[
        { label: 'Code' },
        { label: 'Name' },
        options.showTimeZone && { label: 'Time zone' },
        { label: 'Redemptions', numeric: true },
        { label: 'Actions', actions: true },
      ]}
    >
      {[
        { code: 'DEMO', name: 'Demo Store', timeZone: 'Europe/Berlin' },
        { code: 'HH-1', name: 'Hafenstraße', timeZone: 'Europe/Berlin' },
      ].map((store) =>
        options.showTimeZone ? (
          <DataRow key={store.code}>
            <th scope="row">{store.code}</th>
            <td>{store.name}</td>
            <td>{store.timeZone}</td>
            <td className="num">3</td>
            <td>
              <button type="button">Edit {store.code}</button>
            </td>
          </DataRow>
        ) : (
          // a row from a component of its own, as the stores screen renders them
          <StoreRow key={store.code} code={store.code} name={store.name} />
        ),
      )}
    </DataTable>,
  );
}

describe('DataTable', () => {
  it('labels every cell with its column header, the labels a phone shows on each card', () => {
    // the time zone column left out, and each row rendered by a component of its own
    renderStores({ showTimeZone: false });
    const table = screen.getByRole('table', { name: 'Two stores' });
    const headers = within(table)
      .getAllByRole('columnheader')
      .map((header) => header.textContent);
    expect(headers).toEqual(['Code', 'Name', 'Redemptions', 'Actions']);

    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      const cells = Array.from(row.children);
      expect(cells.map((cell) => cell.getAttribute('data-label'))).toEqual(headers);
    }
    const demo = table.querySelector('[data-store="DEMO"]');
    expect(demo).not.toBeNull();
    expect(within(demo as HTMLElement).getByRole('cell', { name: 'Demo Store' })).toHaveAttribute(
      'data-label',
      'Name',
    );
  });

  it('a column shown only sometimes labels its cells when shown, and shifts no other label', () => {
    renderStores({ showTimeZone: true });
    const table = screen.getByRole('table', { name: 'Two stores' });
    const row = within(table).getAllByRole('row')[1];
    expect(row).toBeDefined();
    const labels = Array.from((row as HTMLElement).children).map((cell) =>
      cell.getAttribute('data-label'),
    );
    expect(labels).toEqual(['Code', 'Name', 'Time zone', 'Redemptions', 'Actions']);
  });

  it('spells out the table roles, which a change of display would otherwise drop', () => {
    renderStores({ showTimeZone: false });
    const table = screen.getByRole('table', { name: 'Two stores' });
    expect(table).toHaveAttribute('role', 'table');
    for (const group of table.querySelectorAll('thead, tbody')) {
      expect(group).toHaveAttribute('role', 'rowgroup');
    }
    for (const row of table.querySelectorAll('tr')) expect(row).toHaveAttribute('role', 'row');
    for (const header of table.querySelectorAll('thead th')) {
      expect(header).toHaveAttribute('role', 'columnheader');
    }
    for (const header of table.querySelectorAll('tbody th')) {
      expect(header).toHaveAttribute('role', 'rowheader');
    }
    for (const cell of table.querySelectorAll('td')) expect(cell).toHaveAttribute('role', 'cell');
    expect(
      within(table)
        .getAllByRole('rowheader')
        .map((cell) => cell.textContent),
    ).toEqual(['DEMO', 'HH-1']);
  });

  it("marks the actions cell for the card's foot and reads its header out without showing it", () => {
    renderStores({ showTimeZone: false });
    const actionsHeader = screen.getByRole('columnheader', { name: 'Actions' });
    expect(actionsHeader.querySelector('.visually-hidden')).toHaveTextContent('Actions');
    const edit = screen.getByRole('button', { name: 'Edit DEMO' });
    expect(edit.closest('td')).toHaveAttribute('data-actions');
    expect(screen.getByRole('cell', { name: 'Demo Store' })).not.toHaveAttribute('data-actions');
    expect(screen.getByRole('columnheader', { name: 'Redemptions' })).toHaveClass('num');
  });

  it('sits in a labelled region that can be scrolled by keyboard while it is a table', () => {
    renderStores({ showTimeZone: false });
    const region = screen.getByRole('region', { name: 'Stores' });
    expect(region).toHaveAttribute('tabindex', '0');
    expect(region.parentElement).toHaveClass('data-table-frame--cards');
  });
});
