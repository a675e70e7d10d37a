import { after } from 'node:test';
import { runBrokerContract } from './broker-contract.ts';
import { removeOpenedScopes, target } from './targets/rabbitmq.ts';

after(removeOpenedScopes);
await runBrokerContract(target);
