import { after } from 'node:test';
import { runBrokerContract } from './broker-contract.ts';
import { removeOpenedScopes, target } from './targets/nats.ts';

after(removeOpenedScopes);
await runBrokerContract(target);
