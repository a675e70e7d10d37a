import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AckWindow } from '../../../src/adapters/brokers/embedded/ack-window.ts';

function deliver(window: AckWindow, ...offsets: number[]): void {
  for (const offset of offsets) window.delivered(offset);
}

describe('AckWindow', () => {
  test('given a fresh window, when nothing is delivered, then the position is where it started', () => {
    const window = new AckWindow(10);
    assert.equal(window.position, 10);
    assert.equal(window.open, 0);
  });

  test('given delivered offsets, when none is settled, then the position stays at the first of them', () => {
    const window = new AckWindow(10);
    deliver(window, 10, 11, 12);
    assert.equal(window.position, 10);
    assert.equal(window.open, 3);
    assert.equal(window.isOpen(11), true);
  });

  test('given settles in order, when each lands, then the position moves past it', () => {
    const window = new AckWindow(0);
    deliver(window, 0, 1, 2);
    window.settle(0);
    assert.equal(window.position, 1);
    window.settle(1);
    assert.equal(window.position, 2);
    window.settle(2);
    assert.equal(window.position, 3);
    assert.equal(window.open, 0);
  });

  test('given out-of-order settles, when a later offset settles first, then the position waits for the gap to close', () => {
    const window = new AckWindow(0);
    deliver(window, 0, 1, 2, 3);
    window.settle(2);
    window.settle(1);
    assert.equal(window.position, 0, 'moved over unsettled offset 0');
    assert.equal(window.isOpen(2), false);
    assert.equal(window.isOpen(0), true);
    window.settle(0);
    assert.equal(window.position, 3, 'did not jump over the settled run 0..2');
    assert.equal(window.open, 1);
    window.settle(3);
    assert.equal(window.position, 4);
  });

  test('given a settle of an unknown or already settled offset, when it lands, then nothing changes', () => {
    const window = new AckWindow(5);
    deliver(window, 5, 6);
    window.settle(99);
    window.settle(4);
    assert.equal(window.position, 5);
    window.settle(5);
    window.settle(5);
    assert.equal(window.position, 6);
    assert.equal(window.open, 1);
  });

  test('given gaps in delivered offsets (filtered events), when all settle, then the position is after the last', () => {
    const window = new AckWindow(0);
    deliver(window, 0, 4, 9);
    window.settle(9);
    window.settle(0);
    assert.equal(window.position, 4);
    window.settle(4);
    assert.equal(window.position, 10);
  });

  test('given nothing open, when skipped forward, then the position jumps; skipping backward does nothing', () => {
    const window = new AckWindow(3);
    window.skipTo(20);
    assert.equal(window.position, 20);
    window.skipTo(7);
    assert.equal(window.position, 20);
  });

  test('given an open offset, when skipped forward, then the position waits for it and then jumps to the skip', () => {
    const window = new AckWindow(0);
    deliver(window, 0);
    window.skipTo(50);
    assert.equal(window.position, 0);
    window.settle(0);
    assert.equal(window.position, 50);
  });

  test('given a skip below the last delivered offset, when everything settles, then the position does not go back', () => {
    const window = new AckWindow(0);
    deliver(window, 0, 1, 2);
    window.skipTo(1);
    for (const offset of [0, 1, 2]) window.settle(offset);
    assert.equal(window.position, 3);
  });
});
