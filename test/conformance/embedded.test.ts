import { runBrokerContract } from './broker-contract.ts';
import { target } from './targets/embedded.ts';

await runBrokerContract(target);
